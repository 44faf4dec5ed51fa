"""Helpers shared by the prov_model tests."""

from __future__ import annotations

from typing import Any

from prov_model import GraphDelta
from prov_model.config import EntitySettings


def edge_set(delta: GraphDelta) -> set[tuple[str, str, str, Any]]:
    """(type, src, dst, role) of every edge."""
    return {(e.type, e.src, e.dst, e.props.get("role")) for e in delta.edges}


def node_labels(delta: GraphDelta) -> dict[str, tuple[str, ...]]:
    """id -> labels of every node."""
    return {n.id: n.labels for n in delta.nodes}


SETTINGS = EntitySettings()
LONG_A = "a long string value shared by tasks"
LONG_B = "another long value that tasks pass"
