"""What a view shows: a bounded part of the PROV graph, read from any store.

Two scopes: a workflow (its tasks, the values they used and generated, their agents, the
tasks of other workflows they depend on or feed, one hop out) and the lineage around one
node (upstream and downstream to a depth, and the agents of its activities: the one scope of
:mod:`keeper.lineage.around`, which ``export --around`` writes too). Both are capped: a
scope over ``limit`` nodes raises :class:`~provgraph.core.errors.CapExceededError` naming
the way to narrow it, and nothing is drawn. What lies just outside the scope is counted
(``outside``: per node, its lineage neighbours the view leaves out), so the view can say
what was left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from keeper.lineage import api
from keeper.lineage.around import around
from keeper.stores.records import NodeRecord
from prov_model.vocab import LINEAGE_EDGE_TYPES, TASK
from provgraph.core.errors import CapExceededError, NotFoundError

if TYPE_CHECKING:
    from keeper.stores.base import Store

DEFAULT_LIMIT = 50_000
NODE_CHUNK = 5000
_LINEAGE = frozenset(LINEAGE_EDGE_TYPES)


@dataclass
class ViewScope:
    """Nodes (full records by id), edges (``{type, src, dst, role}``), the focus node, and
    what bounded it."""

    kind: str  # "workflow" or "around"
    subject: str
    focus: str
    nodes: dict[str, NodeRecord] = field(default_factory=dict)
    edges: list[dict[str, Any]] = field(default_factory=list)
    depth: int | None = None
    outside: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _records(store: Store, ids: list[str]) -> dict[str, NodeRecord]:
    found: dict[str, NodeRecord] = {}
    for start in range(0, len(ids), NODE_CHUNK):
        for record in store.nodes_by_ids(ids[start : start + NODE_CHUNK]):
            found[record["id"]] = record
    return found


def _edge_rows(store: Store, ids: list[str], limit: int) -> tuple[list[dict[str, Any]], bool]:
    rows: list[dict[str, Any]] = []
    seen: set[tuple[str, str, str, Any]] = set()
    capped = False
    for start in range(0, len(ids), NODE_CHUNK):
        room = limit - len(rows)
        chunk = store.neighbourhood(ids[start : start + NODE_CHUNK], room + 1)
        if len(chunk) > room:
            capped = True
            chunk = chunk[:room]
        for row in chunk:
            key = (row["type"], row["src"], row["dst"], row.get("role"))
            if key not in seen:
                seen.add(key)
                rows.append(row)
        if capped:
            break
    return rows, capped


def workflow_scope(store: Store, workflow_id: str, limit: int = DEFAULT_LIMIT,
                   focus: str | None = None) -> ViewScope:
    """A workflow and one hop around its tasks (see the module docstring)."""
    dag = api.workflow_dag(store, workflow_id, limit=limit)
    if dag["truncated"]:
        raise CapExceededError(
            f"workflow {workflow_id!r} has more than {limit} tasks, over the view's cap of "
            f"{limit} nodes: "
            "use --around NODE --depth N, or raise --limit")
    task_ids = [task["id"] for task in dag["tasks"]]
    rows, capped = _edge_rows(store, [workflow_id, *task_ids], 20 * limit)
    ids = list(dict.fromkeys([workflow_id, *task_ids,
                              *(r["src"] for r in rows), *(r["dst"] for r in rows)]))
    if len(ids) > limit:
        raise CapExceededError(
            f"workflow {workflow_id!r} and its values are {len(ids)} nodes, over the view's "
            f"cap of {limit}: use --around NODE --depth N, or raise --limit")
    nodes = _records(store, ids)
    if focus is None:
        focus = _default_focus(dag, nodes) or workflow_id
    elif focus not in nodes:
        raise NotFoundError(f"--focus {focus!r} is not in workflow {workflow_id!r}")
    scope = ViewScope("workflow", workflow_id, focus, nodes,
                  [r for r in rows if r["src"] in nodes and r["dst"] in nodes])
    external = sorted(i for i, n in nodes.items() if TASK in n["labels"]
                      and n["props"].get("workflow_id") not in (None, workflow_id))
    if external:
        scope.notes.append(f"{len(external)} task(s) of other workflows are shown at the "
                           "border (lineage through shared values)")
    if capped:
        scope.notes.append("some edges were left out (the edge cap was hit)")
    return scope


def _default_focus(dag: dict[str, Any], nodes: dict[str, Any]) -> str | None:
    """The last task that nothing in the workflow depends on (a final output's producer),
    preferring a failed one: where a reader usually starts asking."""
    depended = {edge[0] for edge in dag["edges"]}
    sinks = [t for t in dag["tasks"] if t["id"] not in depended and t["id"] in nodes]
    failed = [t for t in sinks if t.get("status") == "ERROR"]
    chosen = (failed or sinks or dag["tasks"] or [None])[-1]
    return None if chosen is None else str(chosen["id"])


def around_scope(store: Store, ref: Any, depth: int = 3, limit: int = DEFAULT_LIMIT) -> ViewScope:
    """The lineage around one node, ``depth`` hops up and down (see the module docstring)."""
    found = around(store, ref, depth, limit=limit)
    for walk in found.walks():
        if walk.truncated:
            raise CapExceededError(walk.cap_message().replace("raise the limit",
                                                              "raise --limit"))
    start = found.start["id"]
    inside = found.lineage_ids()
    if len(inside) > limit:
        raise CapExceededError(
            f"the lineage around {start!r} at depth {depth} is {len(inside)} nodes, over the "
            f"view's cap of {limit}: lower --depth or raise --limit")
    rows, capped = _edge_rows(store, inside, 20 * limit)
    # The scope's own agents, not those of the edge rows: with the edge cap hit, the rows
    # may miss some, and the view would show fewer nodes than export --around writes.
    nodes = _records(store, found.ids())
    scope = ViewScope("around", start, start, nodes, depth=depth)
    outside: dict[str, set[str]] = {}
    for row in rows:
        src, dst = row["src"], row["dst"]
        if src in nodes and dst in nodes:
            scope.edges.append(row)
        elif row["type"] in _LINEAGE:
            here, there = (src, dst) if src in nodes else (dst, src)
            outside.setdefault(here, set()).add(there)
    scope.outside = {node_id: len(others) for node_id, others in sorted(outside.items())}
    left = len(set().union(*outside.values())) if outside else 0
    if left:
        scope.notes.append(f"{left} node(s) just beyond depth {depth} are left out; the "
                           "nodes next to them are marked +N")
    if capped:
        scope.notes.append("some edges were left out (the edge cap was hit)")
    return scope


__all__ = ["DEFAULT_LIMIT", "ViewScope", "around_scope", "workflow_scope"]
