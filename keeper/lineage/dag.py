"""A workflow's task dependency DAG in topological order (Kahn's algorithm, ties by start
time then id, so the order is stable and reads like the run)."""

from __future__ import annotations

import heapq
from typing import Any

from keeper.stores.lineage import Row, clean


def _order_key(task: dict[str, Any]) -> tuple[int, Any, str]:
    started = task.get("started_at")
    if isinstance(started, (int, float)) and not isinstance(started, bool):
        return (0, started, task["id"])
    return (1, 0, task["id"])


def build_dag(workflow_id: str, rows: list[Row], truncated: bool) -> dict[str, Any]:
    """The DAG answer from task rows (``keeper.stores.lineage``).

    ``tasks``: each ``{"id", **summary, "depends_on": [task ids of this workflow],
    "external": [task ids of other workflows]}`` in topological order (dependencies first);
    ``edges``: ``[dependency, dependant]`` pairs; ``cycles``: ids left over on a cycle (placed
    last, by start time), normally empty.
    """
    tasks = {row["id"]: {"id": row["id"], **clean(row.get("summary"))} for row in rows}
    depends: dict[str, list[str]] = {}
    for row in rows:
        inside = sorted({d for d in row.get("informed_by") or () if d in tasks
                         and d != row["id"]})
        tasks[row["id"]]["depends_on"] = inside
        tasks[row["id"]]["external"] = sorted({d for d in row.get("informed_by") or ()
                                               if d not in tasks})
        depends[row["id"]] = inside
    dependants: dict[str, list[str]] = {task_id: [] for task_id in tasks}
    waiting = {task_id: len(deps) for task_id, deps in depends.items()}
    for task_id, deps in depends.items():
        for dep in deps:
            dependants[dep].append(task_id)
    ready = [(_order_key(tasks[t]), t) for t, n in waiting.items() if n == 0]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        _, task_id = heapq.heappop(ready)
        order.append(task_id)
        for nxt in dependants[task_id]:
            waiting[nxt] -= 1
            if waiting[nxt] == 0:
                heapq.heappush(ready, (_order_key(tasks[nxt]), nxt))
    placed = set(order)
    cycles = sorted((t for t in tasks if t not in placed), key=lambda t: _order_key(tasks[t]))
    order.extend(cycles)
    edges = sorted([dep, task_id] for task_id, deps in depends.items() for dep in deps)
    return {"workflow_id": workflow_id, "tasks": [tasks[t] for t in order], "edges": edges,
            "cycles": cycles, "truncated": truncated}


def dag_to_networkx(dag: dict[str, Any]) -> Any:
    """A networkx ``DiGraph``: one node per task (its fields as attributes), an edge from
    each dependency to its dependant."""
    import networkx as nx

    graph = nx.DiGraph(workflow_id=dag["workflow_id"], truncated=dag["truncated"])
    for task in dag["tasks"]:
        graph.add_node(task["id"], **{k: v for k, v in task.items() if k != "id"})
    graph.add_edges_from(tuple(edge) for edge in dag["edges"])
    return graph


__all__ = ["build_dag", "dag_to_networkx"]
