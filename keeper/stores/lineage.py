"""The store side of lineage: a few bounded read primitives every store answers alike.

:mod:`keeper.lineage` builds every lineage answer (walks, paths, DAGs, failures, campaign
overviews) from these primitives, so both stores give the same answers by construction: a
store only says which edges leave a frontier, which tasks a workflow has, and so on. The
defaults here are written over the core :class:`~keeper.stores.base.Store` methods (correct
for any store, one call per node); the Neo4j and embedded stores override them with one
statement or one in-memory pass each (``keeper/stores/neo4j/lineage.py``,
``keeper/stores/embedded/lineage.py``).

Rows (plain dicts):

- step row: ``{"src", "id", "labels", "type", "role", "summary"}`` — an edge between the
  frontier node ``src`` and its neighbour ``id`` (along the PROV arrow from ``src`` for
  ``upstream``, against it for ``downstream``), ``summary`` the neighbour's
  :data:`SUMMARY_FIELDS`;
- task row: ``{"id", "summary", "informed_by": [task ids]}``;
- user row: ``{"id", "labels", "type", "role", "summary"}`` (tasks that used or generated
  an entity: ``type`` is ``USED`` or ``WAS_GENERATED_BY``);
- count row: ``{"workflow_id", "activity_id", "status", "count", "first_start", "last_end"}``;
- link row: ``{"src_activity", "dst_activity", "inside", "count"}``: how many
  ``WAS_INFORMED_BY`` edges (each (task, task) pair once) go from a task of the workflow
  of activity ``src_activity`` to a task of activity ``dst_activity`` of the same workflow
  (``inside``), or to a task outside it (``inside`` false, ``dst_activity`` ``None``);
- crossing row: ``{"way", "task", "entity", "other", "other_workflow"}``;
- edge row: ``{"type", "src", "dst", "role"}``.

Every primitive takes a ``limit`` and returns at most that many rows (callers ask for one
more than they keep, to know when a cap was hit).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from keeper.stores.records import NodeRecord
from prov_model.vocab import (
    LINEAGE_EDGE_TYPES,
    TASK,
    USED,
    WAS_GENERATED_BY,
    WAS_INFORMED_BY,
    WAS_PART_OF,
    WORKFLOW,
)

Row = dict[str, Any]
T = TypeVar("T")

# The node properties a lineage hit carries (the Cypher statements of cypher/lineage list
# the same names in their map projections; tests/cypher checks they agree).
SUMMARY_FIELDS: tuple[str, ...] = (
    "activity_id", "status", "workflow_id", "started_at", "ended_at", "hostname",
    "subtype", "name", "value", "value_type",
)
WAYS = ("upstream", "downstream")


def summary(props: Mapping[str, Any]) -> dict[str, Any]:
    """The :data:`SUMMARY_FIELDS` of a node's props (absent ones left out)."""
    return {key: props[key] for key in SUMMARY_FIELDS if props.get(key) is not None}


def clean(summary_row: Mapping[str, Any] | None) -> dict[str, Any]:
    """A summary as a store returned it, without its null items."""
    return {k: v for k, v in (summary_row or {}).items() if v is not None}


class LineageReads:
    """The lineage primitives, over the core store methods (``get_node``, ``edges``,
    ``find_nodes``, which the class this is mixed into provides)."""

    get_node: Callable[..., Any]
    edges: Callable[..., Any]
    find_nodes: Callable[..., Any]

    def lineage_session(self, work: Callable[[LineageReads], T]) -> T:
        """Run ``work(reads)`` over one consistent view of the store (the Neo4j store: one
        read transaction; the embedded store: under its lock). Here: directly."""
        return work(self)

    def lineage_step(self, ids: list[str], way: str, limit: int) -> list[Row]:
        """Edges between the frontier ``ids`` and their neighbours over the lineage edge
        types (see the module docstring), at most ``limit`` rows."""
        direction = "out" if way == "upstream" else "in"
        rows: list[Row] = []
        for node_id in ids:
            for edge in self.edges(node_id, direction, LINEAGE_EDGE_TYPES):
                other = edge["dst"] if way == "upstream" else edge["src"]
                node = self.get_node(other)
                if node is None:
                    continue
                rows.append({"src": node_id, "id": other, "labels": node["labels"],
                             "type": edge["type"], "role": edge["props"].get("role"),
                             "summary": summary(node["props"])})
                if len(rows) >= limit:
                    return rows
        return rows

    def walk_step(self, way: str, depth: int = 1, limit: int = 1
                  ) -> Callable[[list[str], str, int], list[Row]]:
        """The step function for ONE breadth-first walk of at most ``depth`` hops and
        ``limit`` hits (a store may return a stateful one that fetches several hops at
        once, as the Neo4j store does); by default :meth:`lineage_step`."""
        return self.lineage_step

    def nodes_by_ids(self, ids: Sequence[str]) -> list[NodeRecord]:
        """The node records of ``ids`` that exist (in no particular order)."""
        found = (self.get_node(node_id) for node_id in dict.fromkeys(ids))
        return [node for node in found if node is not None]

    def neighbourhood(self, ids: list[str], limit: int) -> list[Row]:
        """Every edge touching ``ids`` (any type): ``{"type", "src", "dst", "role"}`` rows,
        each edge once, at most ``limit``."""
        seen: dict[tuple[str, str, str, Any], Row] = {}
        for node_id in dict.fromkeys(ids):
            for edge in self.edges(node_id, "both"):
                role = edge["props"].get("role")
                key = (edge["type"], edge["src"], edge["dst"], role)
                seen.setdefault(key, {"type": key[0], "src": key[1], "dst": key[2],
                                      "role": role})
                if len(seen) >= limit:
                    return list(seen.values())
        return list(seen.values())

    def workflow_tasks(self, workflow_id: str, limit: int) -> list[Row]:
        """Tasks whose ``workflow_id`` is ``workflow_id`` (task rows), at most ``limit``."""
        rows: list[Row] = []
        for node in self.find_nodes(TASK, {"workflow_id": workflow_id}, limit):
            informed = self.edges(node["id"], "out", (WAS_INFORMED_BY,))
            rows.append({"id": node["id"], "summary": summary(node["props"]),
                         "informed_by": sorted({e["dst"] for e in informed})})
        return rows

    def entity_users(self, entity_id: str, limit: int) -> list[Row]:
        """Tasks (and workflows) that used or generated the entity (user rows)."""
        rows: list[Row] = []
        for edge in self.edges(entity_id, "both", (USED, WAS_GENERATED_BY)):
            other = edge["src"] if edge["type"] == USED else edge["dst"]
            node = self.get_node(other)
            if node is None or other == entity_id:
                continue
            rows.append({"id": other, "labels": node["labels"], "type": edge["type"],
                         "role": edge["props"].get("role"), "summary": summary(node["props"])})
            if len(rows) >= limit:
                break
        return rows

    def campaign_workflows(self, campaign_id: str, limit: int) -> list[NodeRecord]:
        """Workflow node records that are part of the campaign."""
        rows: list[NodeRecord] = []
        for edge in self.edges(campaign_id, "in", (WAS_PART_OF,)):
            node = self.get_node(edge["src"])
            if node is not None and WORKFLOW in node["labels"]:
                rows.append(node)
                if len(rows) >= limit:
                    break
        return rows

    def task_counts(self, workflow_ids: list[str]) -> list[Row]:
        """Tasks per (workflow, activity, status) of the given workflows (count rows)."""
        groups: dict[tuple[Any, ...], Row] = {}
        for workflow_id in workflow_ids:
            for node in self.find_nodes(TASK, {"workflow_id": workflow_id}):
                props = node["props"]
                count_task(groups, workflow_id, props)
        return list(groups.values())

    def activity_links(self, workflow_id: str) -> list[Row]:
        """``WAS_INFORMED_BY`` edges of a workflow's tasks counted per pair of activities
        (link rows); here over :meth:`workflow_tasks`."""
        rows = self.workflow_tasks(workflow_id, 2**62)
        activity = {row["id"]: row["summary"].get("activity_id") for row in rows}
        counts: dict[tuple[Any, Any, bool], int] = {}
        for row in rows:
            for other in row["informed_by"]:
                key = (activity[row["id"]], activity.get(other), other in activity)
                counts[key] = counts.get(key, 0) + 1
        return [{"src_activity": src, "dst_activity": dst, "inside": inside, "count": n}
                for (src, dst, inside), n in counts.items()]

    def workflow_crossings(self, workflow_id: str, limit: int) -> list[Row]:
        """Value-flow links between tasks of this workflow and tasks of other workflows
        (crossing rows): ``upstream`` when this workflow's task used what the other task
        generated, ``downstream`` the other way."""
        rows: list[Row] = []
        for task in self.find_nodes(TASK, {"workflow_id": workflow_id}):
            for way, first, second in (("upstream", USED, WAS_GENERATED_BY),
                                       ("downstream", WAS_GENERATED_BY, USED)):
                for edge in self.edges(task["id"], "out" if first == USED else "in", (first,)):
                    entity = edge["dst"] if first == USED else edge["src"]
                    back = "out" if second == WAS_GENERATED_BY else "in"
                    for link in self.edges(entity, back, (second,)):
                        other = link["dst"] if second == WAS_GENERATED_BY else link["src"]
                        node = self.get_node(other)
                        other_wf = node["props"].get("workflow_id") if node else None
                        if node is None or TASK not in node["labels"] or other_wf is None \
                                or other_wf == workflow_id:
                            continue
                        rows.append({"way": way, "task": task["id"], "entity": entity,
                                     "other": other, "other_workflow": other_wf})
                        if len(rows) >= limit:
                            return rows
        return rows


def count_task(groups: dict[tuple[Any, ...], Row], workflow_id: str,
               props: dict[str, Any]) -> None:
    """Add one task to its (workflow, activity, status) row of ``task_counts``."""
    key = (workflow_id, props.get("activity_id"), props.get("status"))
    row = groups.setdefault(key, {
        "workflow_id": workflow_id, "activity_id": key[1], "status": key[2],
        "count": 0, "first_start": None, "last_end": None})
    row["count"] += 1
    row["first_start"] = least(row["first_start"], props.get("started_at"))
    row["last_end"] = most(row["last_end"], props.get("ended_at"))


def least(a: Any, b: Any) -> Any:
    """The smaller of two optional values (``None`` is no value)."""
    return b if a is None else a if b is None else min(a, b)


def most(a: Any, b: Any) -> Any:
    """The larger of two optional values (``None`` is no value)."""
    return b if a is None else a if b is None else max(a, b)


__all__ = ["SUMMARY_FIELDS", "WAYS", "LineageReads", "Row", "clean", "least", "most", "summary"]
