"""The lineage around one node: the one scope behind ``export --around``, ``viz --around``
and a store's ``upstream`` / ``downstream`` shorthands.

Every "what is around this node" question is answered here, by the bounded walk of
:mod:`keeper.lineage.walk` over the store's one-hop step, so the exports, the views, the
reports and ``Flowcept.db`` can never disagree on which nodes are in it: the start, its
upstream and downstream hits to ``depth``, and the agents its activities were associated
with (who ran them: drawn by the views, written by the exports).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from keeper.lineage.walk import DEFAULT_LIMIT, MAX_LIMIT, Lineage, check_depth, check_limit, walk
from keeper.stores.lineage import summary
from keeper.stores.protocols import LineagePrimitives
from keeper.stores.records import LineageHit, NodeRecord
from prov_model.vocab import ACTIVITY, WAS_ASSOCIATED_WITH

if TYPE_CHECKING:
    from prov_model.config import EntitySettings

AGENT_CHUNK = 5000  # frontier ids per neighbourhood read when collecting agents


@dataclass
class Around:
    """The lineage around :attr:`start` (a node record with its summary props).

    ``up`` / ``down``: the walks (``None`` for a way not asked); ``agents``: the ids of the
    agents associated with the activities in it (sorted).
    """

    start: dict[str, Any]
    depth: int
    up: Lineage | None
    down: Lineage | None
    agents: list[str]

    @property
    def truncated(self) -> bool:
        return any(w.truncated for w in self.walks())

    def walks(self) -> list[Lineage]:
        return [w for w in (self.up, self.down) if w is not None]

    def lineage_ids(self) -> list[str]:
        """The start, then the upstream hits, then the downstream ones (each once)."""
        ids = [self.start["id"], *(i for w in self.walks() for i in w.ids())]
        return list(dict.fromkeys(ids))

    def ids(self) -> list[str]:
        """Every node of the scope: :meth:`lineage_ids`, then the agents."""
        return list(dict.fromkeys([*self.lineage_ids(), *self.agents]))

    def labels(self) -> dict[str, list[str]]:
        """Node id -> labels, for the lineage nodes (the agents' come from the store)."""
        out = {self.start["id"]: list(self.start["labels"])}
        for w in self.walks():
            out.update((hit["id"], hit["labels"]) for hit in w)
        return out


def around_of(reads: LineagePrimitives, node: NodeRecord, depth: int, up: bool = True,
              down: bool = True, limit: int = DEFAULT_LIMIT) -> Around:
    """The scope around ``node`` (a node record) over ``reads`` (run it inside one
    :meth:`~keeper.stores.lineage.LineagePrimitives.lineage_session`)."""
    check_depth(depth)
    check_limit(limit)
    start = {"id": node["id"], "labels": node["labels"], "props": summary(node["props"])}
    walks = {way: walk(reads.walk_step(way, depth, limit), start, way, depth, limit)
             if on else None for way, on in (("upstream", up), ("downstream", down))}
    found = Around(start, depth, walks["upstream"], walks["downstream"], [])
    labels = found.labels()
    activities = [i for i in found.lineage_ids() if ACTIVITY in labels[i]]
    agents: set[str] = set()
    for first in range(0, len(activities), AGENT_CHUNK):
        chunk = activities[first:first + AGENT_CHUNK]
        members = set(chunk)
        for row in reads.neighbourhood(chunk, MAX_LIMIT):
            if row["type"] == WAS_ASSOCIATED_WITH and row["src"] in members:
                agents.add(row["dst"])
    found.agents = sorted(agents - set(labels))
    return found


def around(store: LineagePrimitives, ref: Any, depth: int, up: bool = True, down: bool = True,
           limit: int = DEFAULT_LIMIT, entities: EntitySettings | None = None) -> Around:
    """The scope around ``ref`` (a node id, or a value such as a file path) in one read
    session. Raises :class:`~provgraph.core.errors.NotFoundError` for an unknown ``ref``."""
    from keeper.lineage.api import resolve

    return store.lineage_session(
        lambda r: around_of(r, resolve(r, ref, entities), depth, up, down, limit))


def nearest(store: LineagePrimitives, node_id: str, way: str, depth: int) -> list[LineageHit]:
    """``[{"id", "labels", "distance"}]`` of a walk without a cap, by distance then id;
    ``[]`` for an unknown node (the shape of ``Store.upstream`` / ``downstream``)."""

    def run(reads: LineagePrimitives) -> list[LineageHit]:
        found = reads.nodes_by_ids([node_id])
        if not found:
            return []
        start = {"id": node_id, "labels": found[0]["labels"], "props": {}}
        hits = walk(reads.walk_step(way, depth, MAX_LIMIT), start, way, depth, MAX_LIMIT)
        return [{"id": hit["id"], "labels": hit["labels"], "distance": hit["distance"]}
                for hit in sorted(hits, key=lambda h: (h["distance"], h["id"]))]

    return store.lineage_session(run)


__all__ = ["Around", "around", "around_of", "nearest"]
