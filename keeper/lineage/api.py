"""Lineage answers over any store, as plain records (and networkx graphs on request).

Free functions over a :class:`~keeper.stores.base.Store`, so the query API
(``Flowcept.db``, :class:`LineageQueries`), the CLI, the views and the reports share one
implementation:

    from keeper.lineage import api as lineage
    hits = lineage.upstream(store, "/data/train.csv", depth=5)   # a value works as an id
    lineage.path(store, model_task_id, raw_file_entity_id)
    lineage.workflow_dag(store, workflow_id)["tasks"]            # topological order
    lineage.impact_of_failures(store, workflow_id)
    lineage.campaign_summary(store, campaign_id)
    lineage.tasks_using(store, "/data/train.csv")
    lineage.workflow_links(store, workflow_id)                   # across workflows

Every answer is bounded: a depth (default :data:`DEFAULT_DEPTH`, at most
:data:`~keeper.lineage.walk.MAX_DEPTH`) and a result cap; an answer that hit its cap says
so (``truncated``) and the walks say how far they are complete. An unknown id raises
:class:`~provgraph.core.errors.NotFoundError`; a bad depth or limit
:class:`~provgraph.core.errors.ArgumentError`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from keeper.lineage.dag import build_dag, dag_to_networkx
from keeper.lineage.walk import (
    DEFAULT_DEPTH,
    DEFAULT_LIMIT,
    Lineage,
    check_depth,
    check_limit,
    check_way,
    shortest_path,
    walk,
)
from keeper.stores.lineage import LineageReads, Row, clean, least, most, summary
from keeper.stores.records import NodeRecord
from prov_model.config import EntitySettings
from prov_model.entities import CONTENT_ID_PREFIX, entity_node
from prov_model.vocab import CAMPAIGN, TASK, WORKFLOW
from provgraph.core.errors import ArgumentError, NotFoundError

if TYPE_CHECKING:
    from keeper.stores.base import Store

DEFAULT_PATH_DEPTH = 20
DAG_LIMIT = 10_000
LIST_LIMIT = 1000
FAILED = "ERROR"


def _reads(store: Store | LineageReads) -> LineageReads:
    if not isinstance(store, LineageReads):
        raise ArgumentError(f"{type(store).__name__} does not answer lineage queries")
    return store


def value_id(value: Any, entities: EntitySettings | None = None) -> str | None:
    """The content id a value is stored under, or ``None`` when the value is trivial
    (numbers, booleans, short strings: local to each task, never shared)."""
    node = entity_node(value, "", entities or EntitySettings())
    return node.id if node.id.startswith(CONTENT_ID_PREFIX) else None


def resolve(store: Store | LineageReads, ref: Any, entities: EntitySettings | None = None
            ) -> NodeRecord:
    """The node ``ref`` names: a node id, or a value (e.g. a file path) through its content
    id (one lookup for both). Raises :class:`NotFoundError`."""
    if isinstance(ref, str) and not ref:
        raise ArgumentError("the node id is empty")
    content = value_id(ref, entities)
    wanted = [i for i in (ref if isinstance(ref, str) else None, content) if i is not None]
    found = {n["id"]: n for n in _reads(store).nodes_by_ids(wanted)}
    for node_id in wanted:
        if node_id in found:
            return found[node_id]
    shown = ref if isinstance(ref, str) else repr(ref)
    raise NotFoundError(f"no node with id {shown!r} (nor a stored value equal to it)")


def _start(node: NodeRecord) -> dict[str, Any]:
    return {"id": node["id"], "labels": node["labels"], "props": summary(node["props"])}


def lineage(store: Store, ref: Any, way: str, depth: int = DEFAULT_DEPTH,
            limit: int = DEFAULT_LIMIT, entities: EntitySettings | None = None) -> Lineage:
    """Upstream or downstream of ``ref`` (see :class:`~keeper.lineage.walk.Lineage`)."""
    check_way(way)
    check_depth(depth)
    check_limit(limit)
    # The lookup of the start and the walk: one read transaction.
    return _reads(store).lineage_session(lambda r: walk(
        r.walk_step(way, depth, limit), _start(resolve(r, ref, entities)), way, depth, limit))


def upstream(store: Store, ref: Any, depth: int = DEFAULT_DEPTH, limit: int = DEFAULT_LIMIT,
             entities: EntitySettings | None = None) -> Lineage:
    """What ``ref`` was derived from (``USED`` / ``WAS_GENERATED_BY`` / ``WAS_INFORMED_BY``
    followed along the arrows), nearest first."""
    return lineage(store, ref, "upstream", depth, limit, entities)


def downstream(store: Store, ref: Any, depth: int = DEFAULT_DEPTH, limit: int = DEFAULT_LIMIT,
               entities: EntitySettings | None = None) -> Lineage:
    """Everything ``ref`` touched (the same edges against the arrows), nearest first."""
    return lineage(store, ref, "downstream", depth, limit, entities)


def path(store: Store, a: Any, b: Any, depth: int = DEFAULT_PATH_DEPTH,
         limit: int = 100 * DEFAULT_LIMIT, entities: EntitySettings | None = None
         ) -> dict[str, Any] | None:
    """The shortest lineage path between ``a`` and ``b`` (either may be upstream of the
    other), at most ``depth`` hops, or ``None``.

    ``{"from", "to", "direction", "length", "nodes": [node summaries, a first],
    "edges": [{"type", "src", "dst", "role"}]}``; ``direction`` is ``upstream`` when ``b``
    is upstream of ``a`` (``a`` was derived from it), else ``downstream``.
    """
    check_depth(depth)
    check_limit(limit)
    reads = _reads(store)
    first, second = resolve(store, a, entities), resolve(store, b, entities)

    def search(r: LineageReads) -> tuple[str, list[dict[str, Any]]] | None:
        found = shortest_path(r.lineage_step, first["id"], second["id"], depth, limit)
        if found is not None:
            return "upstream", found
        back = shortest_path(r.lineage_step, second["id"], first["id"], depth, limit)
        return None if back is None else ("downstream", back[::-1])

    answer = reads.lineage_session(search)
    if answer is None:
        return None
    direction, edges = answer
    ids = [first["id"]]
    for edge in edges:
        ids.append(edge["dst"] if edge["src"] == ids[-1] else edge["src"])
    records = {n["id"]: n for n in reads.nodes_by_ids(ids)}
    nodes = [{"id": i, "labels": records[i]["labels"], "props": summary(records[i]["props"])}
             for i in ids if i in records]
    return {"from": first["id"], "to": second["id"], "direction": direction,
            "length": len(edges), "nodes": nodes, "edges": edges}


def _workflow(store: Store, workflow_id: Any) -> NodeRecord | None:
    if not isinstance(workflow_id, str) or not workflow_id:
        raise ArgumentError(f"workflow id must be a non-empty string, got {workflow_id!r}")
    node = store.get_node(workflow_id)
    if node is not None and WORKFLOW not in node["labels"]:
        kind = node["labels"][-1]
        article = "an" if kind[:1].lower() in "aeiou" else "a"
        raise ArgumentError(f"{workflow_id!r} is {article} {kind}, not a workflow")
    return node


def workflow_dag(store: Store, workflow_id: str, limit: int = DAG_LIMIT,
                 as_graph: bool = False) -> Any:
    """The workflow's tasks in topological order with their dependencies
    (:func:`keeper.lineage.dag.build_dag`); a networkx ``DiGraph`` with ``as_graph``."""
    check_limit(limit)
    node = _workflow(store, workflow_id)
    rows = _reads(store).workflow_tasks(workflow_id, limit + 1)
    if node is None and not rows:
        raise NotFoundError(f"no workflow {workflow_id!r}")
    dag = build_dag(workflow_id, rows[:limit], truncated=len(rows) > limit)
    return dag_to_networkx(dag) if as_graph else dag


def impact_of_failures(store: Store, workflow_id: str, depth: int = DEFAULT_DEPTH,
                       limit: int = DEFAULT_LIMIT) -> dict[str, Any]:
    """The failed tasks (status ``ERROR``) of a workflow and what each affected downstream.

    ``{"workflow_id", "failed": [{"task": summary, "affected": Lineage}], "affected_tasks":
    [ids of every task downstream of a failure], "truncated"}``.
    """
    check_depth(depth)
    check_limit(limit)
    node = _workflow(store, workflow_id)
    failed = store.find_nodes(TASK, {"workflow_id": workflow_id, "status": FAILED}, limit + 1)
    if node is None and not failed and not store.find_nodes(TASK, {"workflow_id": workflow_id},
                                                            1):
        raise NotFoundError(f"no workflow {workflow_id!r}")
    reads = _reads(store)

    def affected(r: LineageReads) -> list[Lineage]:
        way = "downstream"
        return [walk(r.walk_step(way, depth, limit), _start(task), way, depth, limit)
                for task in failed[:limit]]

    walks = reads.lineage_session(affected)
    tasks = sorted({hit["id"] for w in walks for hit in w if TASK in hit["labels"]})
    return {"workflow_id": workflow_id,
            "failed": [{"task": {"id": w.start["id"], **w.start["props"]}, "affected": w}
                       for w in walks],
            "affected_tasks": tasks,
            "truncated": len(failed) > limit or any(w.truncated for w in walks)}


def campaign_summary(store: Store, campaign_id: str, limit: int = LIST_LIMIT
                     ) -> dict[str, Any]:
    """A campaign overview: its workflows, task counts per activity and status, time span.

    ``{"campaign_id", "workflows": [{"workflow_id", "name", "tasks", "activities":
    {activity: {status: n}}, "started_at", "ended_at"}], "tasks", "by_status",
    "started_at", "ended_at", "truncated"}``.
    """
    check_limit(limit)
    node = store.get_node(campaign_id) if isinstance(campaign_id, str) else None
    if node is None or CAMPAIGN not in node["labels"]:
        raise NotFoundError(f"no campaign {campaign_id!r}")
    reads = _reads(store)
    workflows = reads.campaign_workflows(campaign_id, limit + 1)
    truncated = len(workflows) > limit
    workflows = sorted(workflows[:limit], key=lambda w: (w["props"].get("started_at") is None,
                                                         w["props"].get("started_at") or 0,
                                                         w["id"]))
    rows = reads.task_counts([w["id"] for w in workflows])
    per: dict[str, dict[str, Any]] = {
        w["id"]: {"workflow_id": w["id"], "name": w["props"].get("name"), "tasks": 0,
                  "activities": {}, "started_at": w["props"].get("started_at"),
                  "ended_at": w["props"].get("ended_at")}
        for w in workflows}
    by_status: dict[str, int] = {}
    for row in sorted(rows, key=lambda r: (r["workflow_id"], str(r["activity_id"]),
                                           str(r["status"]))):
        entry = per[row["workflow_id"]]
        activity, status = str(row["activity_id"]), str(row["status"])
        entry["tasks"] += row["count"]
        entry["activities"].setdefault(activity, {})[status] = row["count"]
        by_status[status] = by_status.get(status, 0) + row["count"]
        entry["started_at"] = least(entry["started_at"], row["first_start"])
        entry["ended_at"] = most(entry["ended_at"], row["last_end"])
    entries = list(per.values())
    return {"campaign_id": campaign_id, "workflows": entries,
            "tasks": sum(e["tasks"] for e in entries), "by_status": dict(sorted(
                by_status.items())),
            "started_at": _fold(least, (e["started_at"] for e in entries)),
            "ended_at": _fold(most, (e["ended_at"] for e in entries)),
            "truncated": truncated}


def tasks_using(store: Store, value: Any, limit: int = LIST_LIMIT,
                entities: EntitySettings | None = None) -> dict[str, Any]:
    """The tasks that used a value (looked up by the value itself, e.g. a file path,
    through its content id, or by an entity id), and those that generated it.

    ``{"entity": {id, labels, props}, "used_by": [{"id", "role", **summary}],
    "generated_by": [...], "truncated"}``.
    """
    check_limit(limit)
    if isinstance(value, str) and value.startswith(CONTENT_ID_PREFIX):
        node = store.get_node(value)
    else:
        content = value_id(value, entities)
        if content is None:
            raise ArgumentError(
                f"{value!r} is not shared between tasks (numbers, booleans and short strings "
                "are local to each task): look up a task instead")
        node = store.get_node(content)
    if node is None:
        raise NotFoundError(f"no stored value equal to {value!r}")
    rows = _reads(store).entity_users(node["id"], limit + 1)
    ordered = sorted(rows[:limit], key=lambda r: (r["type"], r["id"], r.get("role") or ""))

    def entry(row: Row) -> dict[str, Any]:
        return {"id": row["id"], "role": row.get("role"), **clean(row.get("summary"))}

    return {"entity": {"id": node["id"], "labels": node["labels"],
                       "props": summary(node["props"])},
            "used_by": [entry(r) for r in ordered if r["type"] == "USED"],
            "generated_by": [entry(r) for r in ordered if r["type"] != "USED"],
            "truncated": len(rows) > limit}


def workflow_links(store: Store, workflow_id: str, limit: int = LIST_LIMIT
                   ) -> dict[str, Any]:
    """Lineage that crosses workflows through shared values: which workflows this one
    used values from (``upstream``) and which used its values (``downstream``).

    ``{"workflow_id", "upstream": [{"workflow_id", "links": [{"task", "entity",
    "other"}]}], "downstream": [...], "truncated"}``.
    """
    check_limit(limit)
    node = _workflow(store, workflow_id)
    reads = _reads(store)
    rows = reads.workflow_crossings(workflow_id, limit + 1)
    if node is None and not rows and not store.find_nodes(TASK, {"workflow_id": workflow_id}, 1):
        raise NotFoundError(f"no workflow {workflow_id!r}")
    out: dict[str, Any] = {"workflow_id": workflow_id, "truncated": len(rows) > limit}
    for way in ("upstream", "downstream"):
        grouped: dict[str, list[dict[str, str]]] = {}
        for row in rows[:limit]:
            if row["way"] == way:
                grouped.setdefault(row["other_workflow"], []).append(
                    {"task": row["task"], "entity": row["entity"], "other": row["other"]})
        out[way] = [{"workflow_id": wf, "links": sorted(
            links, key=lambda link: (link["task"], link["entity"], link["other"]))}
            for wf, links in sorted(grouped.items())]
    return out


def _fold(op: Any, values: Any) -> Any:
    result = None
    for value in values:
        result = op(result, value)
    return result


class LineageQueries:
    """The lineage half of ``Flowcept.db`` (mixed into :class:`keeper.query.DBAPI`, which
    provides ``store`` and ``settings``)."""

    store: Store
    settings: Any

    def _entities(self) -> EntitySettings | None:
        found = getattr(self.settings, "entities", None)
        return found if isinstance(found, EntitySettings) else None

    def upstream(self, node_id: Any, depth: int = DEFAULT_DEPTH, limit: int = DEFAULT_LIMIT,
                 as_graph: bool = False) -> Any:
        """What ``node_id`` (a node id, or a value such as a file path) was derived from:
        a :class:`~keeper.lineage.walk.Lineage` (a list of hits ``{id, labels, distance,
        props, via, roles}``, nearest first), or a networkx graph with ``as_graph``."""
        found = upstream(self.store, node_id, depth, limit, self._entities())
        return found.to_networkx() if as_graph else found

    def downstream(self, node_id: Any, depth: int = DEFAULT_DEPTH, limit: int = DEFAULT_LIMIT,
                   as_graph: bool = False) -> Any:
        """Everything ``node_id`` touched (see :meth:`upstream`)."""
        found = downstream(self.store, node_id, depth, limit, self._entities())
        return found.to_networkx() if as_graph else found

    def path(self, a: Any, b: Any, depth: int = DEFAULT_PATH_DEPTH) -> dict[str, Any] | None:
        """The shortest lineage path between two nodes (see :func:`path`)."""
        return path(self.store, a, b, depth, entities=self._entities())

    def workflow_dag(self, workflow_id: str, limit: int = DAG_LIMIT,
                     as_graph: bool = False) -> Any:
        """The workflow's tasks in topological order (see :func:`workflow_dag`)."""
        return workflow_dag(self.store, workflow_id, limit, as_graph)

    def impact_of_failures(self, workflow_id: str, depth: int = DEFAULT_DEPTH,
                           limit: int = DEFAULT_LIMIT) -> dict[str, Any]:
        """Failed tasks of a workflow and what they affected (see :func:`impact_of_failures`)."""
        return impact_of_failures(self.store, workflow_id, depth, limit)

    def campaign_summary(self, campaign_id: str) -> dict[str, Any]:
        """Workflows, task counts and time span of a campaign (see :func:`campaign_summary`)."""
        return campaign_summary(self.store, campaign_id)

    def tasks_using(self, value: Any, limit: int = LIST_LIMIT) -> dict[str, Any]:
        """Tasks that used a value, e.g. a file path (see :func:`tasks_using`)."""
        return tasks_using(self.store, value, limit, self._entities())

    def workflow_links(self, workflow_id: str) -> dict[str, Any]:
        """Workflows linked to this one through shared values (see :func:`workflow_links`)."""
        return workflow_links(self.store, workflow_id)


__all__ = ["DEFAULT_DEPTH", "DEFAULT_LIMIT", "DEFAULT_PATH_DEPTH", "Lineage", "LineageQueries",
           "campaign_summary", "downstream", "impact_of_failures", "lineage", "path",
           "resolve", "tasks_using", "upstream", "value_id", "workflow_dag", "workflow_links"]
