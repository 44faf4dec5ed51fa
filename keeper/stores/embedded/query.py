"""Argument checks and the Cypher-like filtering/ordering the embedded store's queries use.

The same rules as the Neo4j store's reads (``keeper/stores/neo4j/reads.py`` and
``cypher/store``): labels and relationship types from :mod:`prov_model.vocab`; ``where``
items compare with Cypher's ``=`` (a ``None`` item means "has no such property");
``find_nodes`` orders by ``started_at`` then ``id``, nodes without ``started_at`` last.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from provgraph.core.errors import StoreError

Where = tuple[dict[str, Any], list[str]]  # what ``split_where`` returns


def type_filter(types: Sequence[str] | None) -> Callable[[str], bool]:
    """A predicate on relationship types (every type when ``types`` is ``None``)."""
    if types is None:
        return lambda _edge_type: True
    if isinstance(types, str) or not all(isinstance(t, str) for t in types):
        raise StoreError(f"types must be a tuple of relationship type names, got {types!r}")
    return frozenset(types).__contains__


def equal(stored: Any, wanted: Any) -> bool:
    """Cypher ``=`` on property values: booleans never equal numbers."""
    if isinstance(stored, bool) or isinstance(wanted, bool):
        return type(stored) is type(wanted) and stored == wanted
    return bool(stored == wanted)


def matches(node_id: str, props: Mapping[str, Any], where: Where) -> bool:
    items, absent = where
    for key, value in items.items():
        stored = node_id if key == "id" else props.get(key)
        if stored is None or not equal(stored, value):
            return False
    return not any(key == "id" or key in props for key in absent)


def started_order(hit: tuple[str, Mapping[str, Any]]) -> tuple[int, int, Any, str]:
    """By ``started_at`` (strings before numbers, as Cypher orders them), then id; nodes
    without ``started_at`` last."""
    node_id, props = hit
    value = props.get("started_at")
    if isinstance(value, bool) or value is None or isinstance(value, list):
        return (1, 0, 0, node_id)
    if isinstance(value, str):
        return (0, 0, value, node_id)
    return (0, 1, value, node_id)


def first(hits: list[tuple[str, dict[str, Any]]], limit: int | None
          ) -> Iterable[tuple[str, dict[str, Any]]]:
    """``hits`` in ``started_order``, at most ``limit`` of them."""
    if limit is not None and limit < len(hits) // 8:
        return heapq.nsmallest(limit, hits, key=started_order)
    hits.sort(key=started_order)
    return hits if limit is None else hits[:limit]
