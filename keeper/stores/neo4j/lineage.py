"""The lineage primitives of the Neo4j store (:mod:`keeper.stores.lineage`): one named
statement of ``cypher/lineage/`` each, run in READ transactions.

:meth:`Neo4jLineage.lineage_session` runs a whole walk (one statement per hop) in ONE read
transaction: one consistent snapshot, and no transaction set-up per hop. Every statement
starts from an index seek (``id`` constraints, ``Task.workflow_id``) and expands a bounded
number of hops from there; ``tests/keeper/stores/test_neo4j_lineage.py`` checks the plans.

A walk of 2 to :data:`WALK_HOPS` hops is ONE round trip (:meth:`Neo4jLineage.walk_step`):
``lineage/walk_upstream`` / ``lineage/walk_downstream`` read every lineage edge leaving a
node within ``WALK_HOPS - 1`` hops of the start, a var-length pattern with ``DISTINCT``
that Neo4j 5.26 plans as a pruning (breadth-first) expand from the start's index seek: each
node once, not each path. The walk then serves each hop from those rows, so its answer is
the per-hop walk's. It falls back to one statement per hop (``*_edges``) when that read
hits its row cap (a walk that the cap would truncate anyway explores no more than it
answers), for a deeper walk, and on a server that cannot run the statement (checked once
per store, in a transaction of its own, since a failed statement aborts the transaction
it runs in).

What does not work (measured on 5.26): ``ANY SHORTEST`` with an unbound end node is planned
as an ``AllNodesScan`` and a shortest path per pair (0.46 s on a 400-task chain), a
quantified path pattern without ``SHORTEST`` enumerates every path (exponential on fan-in),
and the 10 hops unrolled into one statement (the visited set as a list) took 2 to 7 s to
plan, again each time the server's statistics change.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from keeper.stores.lineage import LineageReads, Row
from keeper.stores.records import NodeRecord
from provgraph.core.errors import StoreError, StoreUnavailableError

T = TypeVar("T")
Run = Callable[[str, dict[str, Any]], list[Row]]  # (statement name, params) -> rows

STEPS = {"upstream": "lineage/upstream_edges", "downstream": "lineage/downstream_edges"}
WALKS = {"upstream": "lineage/walk_upstream", "downstream": "lineage/walk_downstream"}
WALK_HOPS = 10  # the deepest walk read in one statement (its var-length bound is one less)
WALK_ROWS = 100_000  # the one read's row cap, at most (a walk's own cap makes it smaller)
ROWS_PER_HIT = 10  # as keeper.lineage.walk (the store layer does not import the engine)
LINEAGE_TIMEOUT_S = 30.0  # per read transaction: a runaway question ends, the server stays


class Neo4jLineage(LineageReads):
    """Mixed into :class:`~keeper.stores.neo4j.Neo4jStore`, which provides
    ``_read_work(fn, timeout)`` (``fn(run)`` in one read transaction) and ``_fetch``."""

    def _fetch(self, name: str, params: dict[str, Any]) -> list[Row]:
        raise NotImplementedError

    def _read_work(self, work: Callable[[Run], T], timeout_s: float | None) -> T:
        raise NotImplementedError

    _walk_in_one_read: bool | None = None  # the server runs the walk statements (once)

    def _rows(self, name: str, params: dict[str, Any]) -> list[Row]:
        return self._fetch(name, params)

    def _can_walk_in_one_read(self) -> bool:
        """Whether the server runs ``lineage/walk_*``: asked once per store, in a read
        transaction of its own (a failed statement would abort a walk's transaction)."""
        if self._walk_in_one_read is None:
            try:
                for name in WALKS.values():
                    self._fetch(name, {"id": "", "limit": 1})
            except StoreUnavailableError:
                raise
            except StoreError:
                self._walk_in_one_read = False
            else:
                self._walk_in_one_read = True
        return self._walk_in_one_read

    def lineage_session(self, work: Callable[[LineageReads], T]) -> T:
        one_read = self._can_walk_in_one_read()
        return self._read_work(lambda run: work(_InTransaction(run, one_read)),
                               LINEAGE_TIMEOUT_S)

    def lineage_step(self, ids: list[str], way: str, limit: int) -> list[Row]:
        return _labelled(self._rows(STEPS[way], {"ids": ids, "limit": limit}))

    def walk_step(self, way: str, depth: int = 1, limit: int = 1
                  ) -> Callable[[list[str], str, int], list[Row]]:
        """One round trip for a walk of 2 to :data:`WALK_HOPS` hops (see the module
        docstring), else :meth:`lineage_step`."""
        if not 2 <= depth <= WALK_HOPS or not self._can_walk_in_one_read():
            return self.lineage_step
        return _OneReadWalk(self, way, min(WALK_ROWS, ROWS_PER_HIT * (limit + 1) + 1))

    def nodes_by_ids(self, ids: Sequence[str]) -> list[NodeRecord]:
        from keeper.stores.neo4j.reads import node_record

        rows = self._rows("lineage/nodes_by_ids", {"ids": list(dict.fromkeys(ids))})
        return [node_record(row) for row in rows]

    def neighbourhood(self, ids: list[str], limit: int) -> list[Row]:
        return self._rows("lineage/neighbourhood", {"ids": list(dict.fromkeys(ids)),
                                                    "limit": limit})

    def workflow_tasks(self, workflow_id: str, limit: int) -> list[Row]:
        return self._rows("lineage/workflow_tasks", {"workflow_id": workflow_id,
                                                     "limit": limit})

    def entity_users(self, entity_id: str, limit: int) -> list[Row]:
        return self._rows("lineage/entity_users", {"id": entity_id, "limit": limit})

    def campaign_workflows(self, campaign_id: str, limit: int) -> list[NodeRecord]:
        from keeper.stores.neo4j.reads import node_record

        rows = self._rows("lineage/campaign_workflows", {"id": campaign_id, "limit": limit})
        return [node_record(row) for row in rows]

    def task_counts(self, workflow_ids: list[str]) -> list[Row]:
        return self._rows("lineage/task_counts", {"workflow_ids": list(workflow_ids)})

    def activity_links(self, workflow_id: str) -> list[Row]:
        return self._rows("lineage/activity_links", {"workflow_id": workflow_id})

    def workflow_crossings(self, workflow_id: str, limit: int) -> list[Row]:
        params = {"workflow_id": workflow_id, "limit": limit}
        rows = self._rows("lineage/crossings_upstream", params)
        if len(rows) < limit:
            params["limit"] = limit - len(rows)
            rows += self._rows("lineage/crossings_downstream", params)
        return rows


def _labelled(rows: list[Row]) -> list[Row]:
    from keeper.stores.neo4j.reads import ordered_labels

    for row in rows:  # general label first, as every other read gives them
        row["labels"] = ordered_labels(row["labels"])
    return rows


class _OneReadWalk:
    """The step function of one walk: its first call reads every edge the walk can reach
    (``lineage/walk_*``, at most ``cap`` rows); each call then gives the rows of its
    frontier from those, at most ``limit`` of them, in frontier order, as
    ``lineage/*_edges`` would. A read that hit its cap answers nothing: every hop is then
    read on its own."""

    def __init__(self, reads: Neo4jLineage, way: str, cap: int) -> None:
        self.reads, self.way, self.cap = reads, way, cap
        self.by_src: dict[str, list[Row]] | None = None
        self.per_hop = False

    def __call__(self, ids: list[str], way: str, limit: int) -> list[Row]:
        if self.by_src is None and not self.per_hop and len(ids) == 1 and way == self.way:
            rows = self.reads._rows(WALKS[way], {"id": ids[0], "limit": self.cap})
            if len(rows) >= self.cap:
                self.per_hop = True
            else:
                self.by_src = {}
                for row in _labelled(rows):
                    self.by_src.setdefault(row["src"], []).append(row)
        if self.by_src is None or way != self.way:
            return self.reads.lineage_step(ids, way, limit)
        found: list[Row] = []
        for node_id in dict.fromkeys(ids):
            for row in self.by_src.get(node_id, ()):
                found.append(dict(row))
                if len(found) >= limit:
                    return found
        return found


class _InTransaction(Neo4jLineage):
    """The lineage primitives bound to one open read transaction."""

    def __init__(self, run: Run, one_read: bool) -> None:
        self._run = run
        self._walk_in_one_read = one_read

    def _rows(self, name: str, params: dict[str, Any]) -> list[Row]:
        return self._run(name, params)

    def lineage_session(self, work: Callable[[LineageReads], T]) -> T:
        return work(self)


__all__ = ["Neo4jLineage"]
