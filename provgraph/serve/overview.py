"""A workflow's activity-level overview: one node per activity (its task count, status mix
and time span) and one edge per pair of activities whose tasks informed one another
(``WAS_INFORMED_BY``, declared or by value flow), with how many task edges it stands for.

Built from two counting reads of the lineage primitives (``task_counts``: tasks per
activity and status with their time span; ``activity_links``: ``WAS_INFORMED_BY`` edges
per pair of activities), so it reads the same from both stores and its cost grows with the
number of activities, not of tasks (no task row crosses to Python): the counts and the
edges are exact at any size (``edges_truncated`` stays, always false, for the clients
that read it).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from keeper.stores.base import Store
from keeper.stores.lineage import LineageReads, least, most
from keeper.stores.records import NodeRecord
from prov_model.vocab import TASK, WORKFLOW
from provgraph.core.errors import ArgumentError, NotFoundError
from provgraph.serve.nodes import view_node

FAILED = "ERROR"
NO_ACTIVITY = "(no activity)"


@dataclass
class Activity:
    name: str
    tasks: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    started_at: Any = None
    ended_at: Any = None

    def add(self, status: Any, count: int, first: Any, last: Any) -> None:
        key = str(status) if status is not None else "UNKNOWN"
        self.tasks += count
        self.statuses[key] = self.statuses.get(key, 0) + count
        self.started_at = least(self.started_at, first)
        self.ended_at = most(self.ended_at, last)

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "tasks": self.tasks,
                "statuses": dict(sorted(self.statuses.items())),
                "failed": self.statuses.get(FAILED, 0),
                "started_at": self.started_at, "ended_at": self.ended_at}


def _name(activity_id: Any) -> str:
    return str(activity_id or NO_ACTIVITY)


def workflow_node(store: Store, workflow_id: Any) -> NodeRecord | None:
    """The workflow's node record, ``None`` when only its tasks are stored."""
    if not isinstance(workflow_id, str) or not workflow_id:
        raise ArgumentError("the workflow id is empty")
    node = store.get_node(workflow_id)
    if node is not None and WORKFLOW not in node["labels"]:
        raise ArgumentError(f"{workflow_id!r} is a {node['labels'][-1]}, not a workflow")
    return node


def workflow_state(props: dict[str, Any], statuses: dict[str, int]) -> str:
    """FINISHED / ERROR once the run ended, else RUNNING."""
    status = props.get("status")
    if isinstance(status, str) and status:
        return status
    if props.get("ended_at") is not None:
        return FAILED if statuses.get(FAILED) else "FINISHED"
    return "RUNNING"


def overview(store: Store, workflow_id: str) -> dict[str, Any]:
    """``{"workflow": view, "state", "tasks", "statuses", "activities": [...],
    "edges": [{"src", "dst", "count"}], "outside": {"upstream", "downstream"},
    "edges_truncated", "version"}``."""
    if not isinstance(store, LineageReads):
        raise ArgumentError(f"{type(store).__name__} does not answer lineage queries")
    node = workflow_node(store, workflow_id)
    counts = store.task_counts([workflow_id])
    if node is None and not counts:
        raise NotFoundError(f"no workflow {workflow_id!r}")
    activities: dict[str, Activity] = {}
    for count in counts:
        name = _name(count["activity_id"])
        activities.setdefault(name, Activity(name)).add(
            count["status"], count["count"], count["first_start"], count["last_end"])
    pairs: dict[tuple[str, str], int] = {}
    outside = 0
    for link in store.activity_links(workflow_id) if counts else ():
        if link["inside"]:
            key = (_name(link["src_activity"]), _name(link["dst_activity"]))
            pairs[key] = pairs.get(key, 0) + link["count"]
        else:
            outside += link["count"]
    statuses: dict[str, int] = {}
    for activity in activities.values():
        for status, number in activity.statuses.items():
            statuses[status] = statuses.get(status, 0) + number
    props = node["props"] if node else {"workflow_id": workflow_id}
    labels = node["labels"] if node else ["Activity", WORKFLOW]
    ordered = sorted(activities.values(), key=lambda a: (
        a.started_at is None, a.started_at if isinstance(a.started_at, (int, float)) else 0,
        a.name))
    total = sum(a.tasks for a in ordered)
    digest = hashlib.sha1(repr((total, sorted(statuses.items()), props.get("ended_at"),
                                props.get("status"))).encode(), usedforsecurity=False)
    return {
        "workflow": view_node(workflow_id, labels, props, with_attrs=True),
        "state": workflow_state(props, statuses), "tasks": total,
        "statuses": dict(sorted(statuses.items())),
        "activities": [a.as_dict() for a in ordered],
        "edges": [{"src": src, "dst": dst, "count": n}
                  for (src, dst), n in sorted(pairs.items())],
        "informed_by_outside": outside, "edges_truncated": False,
        "version": digest.hexdigest()[:16],
    }


def activity_tasks(store: Store, workflow_id: str, activity: str, limit: int
                   ) -> dict[str, Any]:
    """The tasks of one activity of a workflow (at most ``limit``, by start time) and the
    ``WAS_INFORMED_BY`` edges touching them, with the activity of each task at their other
    end (so the explorer can draw an edge to an activity it has not opened)."""
    if not isinstance(store, LineageReads):
        raise ArgumentError(f"{type(store).__name__} does not answer lineage queries")
    workflow_node(store, workflow_id)
    where: dict[str, Any] = {"workflow_id": workflow_id,
                             "activity_id": None if activity == NO_ACTIVITY else activity}
    found = store.find_nodes(TASK, where, limit + 1)
    tasks = found[:limit]
    ids = [t["id"] for t in tasks]
    links = [e for e in store.neighbourhood(ids, 20 * limit + 1)
             if e["type"] == "WAS_INFORMED_BY"]
    others = sorted({e[k] for e in links for k in ("src", "dst")} - set(ids))
    ends = {n["id"]: {"activity_id": n["props"].get("activity_id"),
                      "workflow_id": n["props"].get("workflow_id")}
            for n in store.nodes_by_ids(others)}
    return {"workflow_id": workflow_id, "activity": activity,
            "tasks": [view_node(t["id"], t["labels"], t["props"]) for t in tasks],
            "links": [{"src": e["src"], "dst": e["dst"], "type": e["type"]} for e in links],
            "ends": ends, "truncated": len(found) > limit}


__all__ = ["NO_ACTIVITY", "activity_tasks", "overview", "workflow_node"]
