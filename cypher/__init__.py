"""provgraph package."""
