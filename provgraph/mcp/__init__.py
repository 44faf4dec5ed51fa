"""``provgraph mcp``: provenance questions as Model Context Protocol tools over stdio."""
