"""The lineage primitives of the embedded store (:mod:`keeper.stores.lineage`), as direct
passes over the in-memory graph: one dict lookup per edge, under the store's lock."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from keeper.stores.lineage import LineageReads, Row, count_task, summary
from prov_model.entities import CONTENT_ID_PREFIX
from prov_model.vocab import (
    LINEAGE_EDGE_TYPES,
    TASK,
    USED,
    WAS_GENERATED_BY,
    WAS_INFORMED_BY,
    WAS_PART_OF,
    WORKFLOW,
)

if TYPE_CHECKING:
    from keeper.stores.embedded.graph import MemGraph

T = TypeVar("T")
_LINEAGE = frozenset(LINEAGE_EDGE_TYPES)


class EmbeddedLineage(LineageReads):
    """Mixed into :class:`~keeper.stores.embedded.EmbeddedStore` (``_graph``, ``_lock``,
    ``_refresh``). Inside :meth:`lineage_session` the log is read once, so a walk sees one
    state of the graph."""

    _graph: MemGraph
    _lock: threading.RLock
    _refresh: Callable[[], None]
    _sessions = threading.local()

    def _fresh(self) -> MemGraph:
        """The graph, refreshed from the log unless a lineage session already did."""
        if not getattr(self._sessions, "depth", 0):
            self._refresh()
        return self._graph

    def lineage_session(self, work: Callable[[LineageReads], T]) -> T:
        with self._lock:
            self._refresh()
            self._sessions.depth = getattr(self._sessions, "depth", 0) + 1
            try:
                return work(self)
            finally:
                self._sessions.depth -= 1

    def lineage_step(self, ids: list[str], way: str, limit: int) -> list[Row]:
        with self._lock:
            graph = self._fresh()
            adjacency = graph.adjacency(forward=way == "upstream")
            rows: list[Row] = []
            for node_id in ids:
                for other, keys in adjacency.get(node_id, {}).items():
                    for edge_type, role in keys:
                        if edge_type not in _LINEAGE:
                            continue
                        rows.append({"src": node_id, "id": other,
                                     "labels": list(graph.labels(other)), "type": edge_type,
                                     "role": role, "summary": summary(graph.props(other))})
                        if len(rows) >= limit:
                            return rows
            return rows

    def nodes_by_ids(self, ids: list[str]) -> list[Row]:
        with self._lock:
            graph = self._fresh()
            found = (graph.node_record(node_id) for node_id in dict.fromkeys(ids))
            return [node for node in found if node is not None]

    def neighbourhood(self, ids: list[str], limit: int) -> list[Row]:
        with self._lock:
            graph = self._fresh()
            seen: dict[tuple[str, str, str, Any], Row] = {}
            for node_id in dict.fromkeys(ids):
                for forward in (True, False):
                    for other, keys in graph.adjacency(forward).get(node_id, {}).items():
                        src, dst = (node_id, other) if forward else (other, node_id)
                        for edge_type, role in keys:
                            key = (edge_type, src, dst, role)
                            seen.setdefault(key, {"type": edge_type, "src": src, "dst": dst,
                                                  "role": role})
                            if len(seen) >= limit:
                                return list(seen.values())
            return list(seen.values())

    def _tasks_of(self, graph: MemGraph, workflow_id: str) -> list[str]:
        return [i for i in graph.node_ids(TASK) if graph.props(i).get("workflow_id") ==
                workflow_id]

    def workflow_tasks(self, workflow_id: str, limit: int) -> list[Row]:
        with self._lock:
            graph = self._fresh()
            succ = graph.adjacency(forward=True)
            rows: list[Row] = []
            for task_id in sorted(self._tasks_of(graph, workflow_id)):
                informed = sorted(dst for dst, keys in succ[task_id].items()
                                  if any(key[0] == WAS_INFORMED_BY for key in keys))
                rows.append({"id": task_id, "summary": summary(graph.props(task_id)),
                             "informed_by": informed})
                if len(rows) >= limit:
                    break
            return rows

    def entity_users(self, entity_id: str, limit: int) -> list[Row]:
        with self._lock:
            graph = self._fresh()
            rows: list[Row] = []
            for forward, edge_type in ((False, USED), (True, WAS_GENERATED_BY)):
                for other, keys in sorted(graph.adjacency(forward).get(entity_id, {}).items()):
                    if other == entity_id:
                        continue
                    for key_type, role in keys:
                        if key_type == edge_type:
                            rows.append({"id": other, "labels": list(graph.labels(other)),
                                         "type": edge_type, "role": role,
                                         "summary": summary(graph.props(other))})
                            if len(rows) >= limit:
                                return rows
            return rows

    def campaign_workflows(self, campaign_id: str, limit: int) -> list[Row]:
        with self._lock:
            graph = self._fresh()
            rows: list[Row] = []
            for src, keys in sorted(graph.adjacency(False).get(campaign_id, {}).items()):
                if any(key[0] == WAS_PART_OF for key in keys) and WORKFLOW in graph.labels(src):
                    record = graph.node_record(src)
                    if record is not None:
                        rows.append(record)
                        if len(rows) >= limit:
                            break
            return rows

    def task_counts(self, workflow_ids: list[str]) -> list[Row]:
        wanted = set(workflow_ids)
        groups: dict[tuple[Any, ...], Row] = {}
        with self._lock:
            graph = self._fresh()
            for task_id in graph.node_ids(TASK):
                props = graph.props(task_id)
                workflow_id = props.get("workflow_id")
                if workflow_id not in wanted:
                    continue
                count_task(groups, workflow_id, props)
        return list(groups.values())

    def workflow_crossings(self, workflow_id: str, limit: int) -> list[Row]:
        with self._lock:
            graph = self._fresh()
            succ, pred = graph.adjacency(True), graph.adjacency(False)
            rows: list[Row] = []
            for task_id in sorted(self._tasks_of(graph, workflow_id)):
                # upstream: task -USED-> e -WAS_GENERATED_BY-> other;
                # downstream: task <-WAS_GENERATED_BY- e <-USED- other.
                for way, first_side, first, second_side, second in (
                        ("upstream", succ, USED, succ, WAS_GENERATED_BY),
                        ("downstream", pred, WAS_GENERATED_BY, pred, USED)):
                    for entity, keys in sorted(first_side[task_id].items()):
                        if not entity.startswith(CONTENT_ID_PREFIX) or not any(
                                key[0] == first for key in keys):
                            continue
                        for other, links in sorted(second_side[entity].items()):
                            if not any(key[0] == second for key in links) \
                                    or TASK not in graph.labels(other):
                                continue
                            other_wf = graph.props(other).get("workflow_id")
                            if other_wf is None or other_wf == workflow_id:
                                continue
                            rows.append({"way": way, "task": task_id, "entity": entity,
                                         "other": other, "other_workflow": other_wf})
                            if len(rows) >= limit:
                                return rows
            return rows


__all__ = ["EmbeddedLineage"]
