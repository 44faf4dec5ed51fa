"""The lineage primitives of the Neo4j store (:mod:`keeper.stores.lineage`): one named
statement of ``cypher/lineage/`` each, run in READ transactions.

:meth:`Neo4jLineage.lineage_session` runs a whole walk (one statement per hop) in ONE read
transaction: one consistent snapshot, and no transaction set-up per hop. Every statement
starts from an index seek (``id`` constraints, ``Task.workflow_id``) and expands a bounded
number of hops from there; ``tests/keeper/stores/test_neo4j_lineage.py`` checks the plans.

Why one statement per hop, not one per walk: Neo4j 5.26 plans ``ANY SHORTEST`` with an
unbound end node as an ``AllNodesScan`` and a shortest path per pair (0.46 s on a 400-task
chain), a quantified path pattern without ``SHORTEST`` enumerates every path (exponential
on fan-in), and the 10 hops unrolled into one statement (the visited set as a list) took
2 to 7 s to plan, again each time the server's statistics change. One small statement per
hop plans in milliseconds and explores exactly the hops asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from keeper.stores.lineage import LineageReads, Row
from keeper.stores.records import NodeRecord

T = TypeVar("T")
Run = Callable[[str, dict[str, Any]], list[Row]]  # (statement name, params) -> rows

STEPS = {"upstream": "lineage/upstream_edges", "downstream": "lineage/downstream_edges"}
LINEAGE_TIMEOUT_S = 30.0  # per read transaction: a runaway question ends, the server stays


class Neo4jLineage(LineageReads):
    """Mixed into :class:`~keeper.stores.neo4j.Neo4jStore`, which provides
    ``_read_work(fn, timeout)`` (``fn(run)`` in one read transaction) and ``_fetch``."""

    def _fetch(self, name: str, params: dict[str, Any]) -> list[Row]:
        raise NotImplementedError

    def _read_work(self, work: Callable[[Run], T], timeout_s: float | None) -> T:
        raise NotImplementedError

    def _rows(self, name: str, params: dict[str, Any]) -> list[Row]:
        return self._fetch(name, params)

    def lineage_session(self, work: Callable[[LineageReads], T]) -> T:
        return self._read_work(lambda run: work(_InTransaction(run)), LINEAGE_TIMEOUT_S)

    def lineage_step(self, ids: list[str], way: str, limit: int) -> list[Row]:
        from keeper.stores.neo4j.reads import ordered_labels

        rows = self._rows(STEPS[way], {"ids": ids, "limit": limit})
        for row in rows:  # general label first, as every other read gives them
            row["labels"] = ordered_labels(row["labels"])
        return rows

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

    def workflow_crossings(self, workflow_id: str, limit: int) -> list[Row]:
        params = {"workflow_id": workflow_id, "limit": limit}
        rows = self._rows("lineage/crossings_upstream", params)
        if len(rows) < limit:
            params["limit"] = limit - len(rows)
            rows += self._rows("lineage/crossings_downstream", params)
        return rows


class _InTransaction(Neo4jLineage):
    """The lineage primitives bound to one open read transaction."""

    def __init__(self, run: Run) -> None:
        self._run = run

    def _rows(self, name: str, params: dict[str, Any]) -> list[Row]:
        return self._run(name, params)

    def lineage_session(self, work: Callable[[LineageReads], T]) -> T:
        return work(self)


__all__ = ["Neo4jLineage"]
