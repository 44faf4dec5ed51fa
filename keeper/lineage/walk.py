"""Bounded breadth-first lineage walks and shortest paths over the store's one-hop step.

A walk asks the store, one hop at a time, for the lineage edges of its frontier
(:meth:`keeper.stores.lineage.LineageReads.lineage_step`), keeps a visited set, and stops
at ``depth`` hops or at ``limit`` hits, whichever comes first: it never explores more than
it answers (no unbounded pattern, no whole-graph scan). Ties are broken the same way for
every store (the smallest ``(from, type, role)`` reaches a node first), so both stores give
the same hits, distances and roles.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from keeper.stores.lineage import Row, clean
from provgraph.core.errors import ArgumentError, CapExceededError

Step = Callable[[list[str], str, int], list[Row]]  # (frontier, way, row limit) -> step rows

DEFAULT_DEPTH = 5
MAX_DEPTH = 50
DEFAULT_LIMIT = 1000
MAX_LIMIT = 1_000_000
ROWS_PER_HIT = 10  # a step reads at most this many edge rows per hit it may still keep


def check_depth(depth: Any, maximum: int = MAX_DEPTH) -> int:
    if type(depth) is not int or not 1 <= depth <= maximum:
        raise ArgumentError(f"depth must be an integer from 1 to {maximum}, got {depth!r}")
    return depth


def check_limit(limit: Any) -> int:
    if type(limit) is not int or not 1 <= limit <= MAX_LIMIT:
        raise ArgumentError(f"limit must be an integer from 1 to {MAX_LIMIT}, got {limit!r}")
    return limit


def check_way(way: Any) -> str:
    if way not in ("upstream", "downstream"):
        raise ArgumentError(f"way must be 'upstream' or 'downstream', got {way!r}")
    return str(way)


class Lineage(list[dict[str, Any]]):
    """The hits of a walk, nearest first (a list of hit dicts), and what bounded it.

    Hit: ``{"id", "labels", "distance", "props": {summary}, "via": {"from", "type",
    "role"}, "roles": [roles on the path from the start]}``. ``edges`` holds every lineage
    edge found between nodes of the answer (PROV direction: ``{"type", "src", "dst",
    "role"}``). ``truncated``: the cap was hit; the hits are then complete up to distance
    ``complete_depth`` and a subset beyond.
    """

    def __init__(self, start: dict[str, Any], way: str, depth: int, limit: int) -> None:
        super().__init__()
        self.start = start
        self.way = way
        self.depth = depth
        self.limit = limit
        self.truncated = False
        self.complete_depth = 0
        self.edges: list[dict[str, Any]] = []

    def ids(self) -> list[str]:
        return [hit["id"] for hit in self]

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-able data: the start, the hits, the edges and the bounds."""
        return {"start": self.start, "way": self.way, "depth": self.depth,
                "limit": self.limit, "truncated": self.truncated,
                "complete_depth": self.complete_depth, "hits": list(self),
                "edges": self.edges}

    def to_networkx(self) -> Any:
        """A networkx ``MultiDiGraph`` of the start and the hits (node attrs ``labels``,
        ``distance``, ``props``) and the edges (key = type, attr ``role``)."""
        import networkx as nx

        graph = nx.MultiDiGraph(start=self.start["id"], way=self.way, depth=self.depth,
                                truncated=self.truncated)
        graph.add_node(self.start["id"], labels=self.start["labels"], distance=0,
                       props=self.start.get("props", {}))
        for hit in self:
            graph.add_node(hit["id"], labels=hit["labels"], distance=hit["distance"],
                           props=hit["props"])
        for edge in self.edges:
            graph.add_edge(edge["src"], edge["dst"], key=edge["type"], role=edge["role"])
        return graph

    def cap_message(self) -> str:
        what = f"{self.way} of {self.start['id']!r} at depth {self.depth}"
        return (f"{what} exceeds the cap of {self.limit} nodes (complete to distance "
                f"{self.complete_depth}): lower the depth or raise the limit")


def _edge(way: str, row: Row) -> dict[str, Any]:
    src, dst = (row["src"], row["id"]) if way == "upstream" else (row["id"], row["src"])
    return {"type": row["type"], "src": src, "dst": dst, "role": row.get("role")}


def _tie(row: Row) -> tuple[str, str, str]:
    return (row["src"], row["type"], row.get("role") or "")


def walk(step: Step, start: dict[str, Any], way: str, depth: int, limit: int) -> Lineage:
    """Breadth first from ``start`` (a node record), at most ``depth`` hops and ``limit``
    hits (see :class:`Lineage`)."""
    result = Lineage(start, way, depth, limit)
    start_id = start["id"]
    level: dict[str, int] = {start_id: 0}
    roles: dict[str, list[str]] = {start_id: []}
    frontier = [start_id]
    edges: dict[tuple[str, str, str, str], dict[str, Any]] = {}
    for distance in range(1, depth + 1):
        if not frontier:
            result.complete_depth = depth
            break
        room = limit - len(result)
        max_rows = ROWS_PER_HIT * (room + len(level)) + 1
        rows = step(frontier, way, max_rows)
        best: dict[str, Row] = {}
        for row in rows:
            node_id = row["id"]
            if node_id in level:
                continue
            found = best.get(node_id)
            if found is None or _tie(row) < _tie(found):
                best[node_id] = row
        new = sorted(best)
        if len(new) > room or len(rows) >= max_rows:
            result.truncated = True
            new = new[:room]
        for node_id in new:
            row = best[node_id]
            level[node_id] = distance
            role = row.get("role")
            roles[node_id] = [*roles[row["src"]], *([role] if role else [])]
            result.append({"id": node_id, "labels": list(row["labels"]), "distance": distance,
                           "props": clean(row.get("summary")),
                           "via": {"from": row["src"], "type": row["type"], "role": role},
                           "roles": roles[node_id]})
        for row in rows:
            if row["id"] in level:
                edge = _edge(way, row)
                edges[(edge["type"], edge["src"], edge["dst"], edge["role"] or "")] = edge
        if result.truncated:
            break
        result.complete_depth = distance
        frontier = new
    result.edges = sorted(edges.values(),
                          key=lambda e: (e["src"], e["dst"], e["type"], e["role"] or ""))
    return result


@dataclass
class _Side:
    way: str
    parent: dict[str, Row | None]
    frontier: list[str] = field(default_factory=list)


def shortest_path(step: Step, a: str, b: str, depth: int, limit: int
                  ) -> list[dict[str, Any]] | None:
    """The shortest lineage path ``a -> ... -> b`` along the PROV arrows (``b`` is upstream
    of ``a``) of at most ``depth`` hops, as its edges in order (PROV direction), or ``None``.

    Bidirectional: it grows the smaller frontier (upstream from ``a``, downstream from
    ``b``) until they meet, so it explores about the square root of what a one-sided walk
    would. Raises :class:`CapExceededError` when more than ``limit`` nodes were visited
    without an answer.
    """
    if a == b:
        return []
    sides = (_Side("upstream", {a: None}, [a]), _Side("downstream", {b: None}, [b]))
    hops = 0
    while hops < depth and sides[0].frontier and sides[1].frontier:
        side, other = sorted(sides, key=lambda s: (len(s.frontier), s.way))
        room = limit - len(sides[0].parent) - len(sides[1].parent)
        if room <= 0:
            raise CapExceededError(
                f"no lineage path of at most {hops} hops between {a!r} and {b!r} within the "
                f"cap of {limit} visited nodes: raise the limit or lower the depth")
        rows = step(side.frontier, side.way, ROWS_PER_HIT * room + 1)
        hops += 1
        best: dict[str, Row] = {}
        for row in rows:
            if row["id"] not in side.parent:
                found = best.get(row["id"])
                if found is None or _tie(row) < _tie(found):
                    best[row["id"]] = row
        for node_id in sorted(best):
            side.parent[node_id] = best[node_id]
        side.frontier = sorted(best)
        meeting = sorted(n for n in side.frontier if n in other.parent)
        if meeting:
            return _join(sides, meeting[0])
    return None


def _chain(side: _Side, node_id: str) -> Iterator[dict[str, Any]]:
    """Edges from ``node_id`` back to the side's origin (PROV direction)."""
    row = side.parent[node_id]
    while row is not None:
        yield _edge(side.way, row)
        row = side.parent[row["src"]]


def _join(sides: tuple[_Side, _Side], meeting: str) -> list[dict[str, Any]]:
    up, down = sides
    first = list(_chain(up, meeting))[::-1]  # a -> ... -> meeting
    second = list(_chain(down, meeting))  # meeting -> ... -> b
    return first + second


__all__ = ["DEFAULT_DEPTH", "DEFAULT_LIMIT", "MAX_DEPTH", "MAX_LIMIT", "Lineage", "Step",
           "check_depth", "check_limit", "check_way", "shortest_path", "walk"]
