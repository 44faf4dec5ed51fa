"""The activity-level overview of a large workflow: one node per activity (its task count,
status mix and mean duration) and edges between activities with counts, as Flowcept's
dataflow view and Kedro-Viz show pipelines. Values are not drawn: a value one activity
generated and another used is an edge between them.

One computation (:func:`activity_overview`) serves every view: the SVG and DOT pictures
draw it (:func:`overview`), and the HTML page opens on it and drills down from an activity
to its tasks (the page gets the task-level links too, so it need not work them out again).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from exports.views.collapse import Picture
from exports.views.model import TIMES
from exports.views.scope import ViewScope

# Workflows with more tasks than this open on their overview (SVG, DOT and HTML).
OVERVIEW_MIN_TASKS = 200
NO_ACTIVITY = "(no activity)"


@dataclass
class ActivityOverview:
    """``activities``: per activity ``{id, name, tasks, statuses, failed, mean_s, label}``
    in first-start order; ``edges``: ``{s, t, type, count}`` between activity node ids;
    ``links``: the task pairs behind them, ``[src_task, dst_task, type]``."""

    activities: list[dict[str, Any]] = field(default_factory=list)
    edges: list[dict[str, Any]] = field(default_factory=list)
    links: list[list[str]] = field(default_factory=list)
    tasks: int = 0


def task_count(scope: ViewScope) -> int:
    return sum(1 for record in scope.nodes.values() if record["labels"][-1:] == ["Task"])


def seconds(value: float) -> str:
    if value < 1e-3:
        return f"{value * 1e6:.0f} µs"
    if value < 1:
        return f"{value * 1e3:.1f} ms"
    return f"{value:.2f} s" if value < 120 else f"{value / 60:.1f} min"


def activity_node_id(activity: str) -> str:
    return f"activity:{activity}"


def activity_overview(scope: ViewScope) -> ActivityOverview:
    """The activity graph of ``scope``'s tasks (tasks of other workflows at the border
    count as their own activities, as they are drawn)."""
    activity_of: dict[str, str] = {}
    statuses: dict[str, Counter[str]] = {}
    durations: dict[str, list[float]] = {}
    first: dict[str, float] = {}
    for node_id, record in scope.nodes.items():
        if record["labels"][-1:] != ["Task"]:
            continue
        props = record["props"]
        activity = str(props.get("activity_id") or NO_ACTIVITY)
        activity_of[node_id] = activity
        statuses.setdefault(activity, Counter())[str(props.get("status") or "UNKNOWN")] += 1
        start, end = props.get("started_at"), props.get("ended_at")
        if isinstance(start, int | float):
            first[activity] = min(first.get(activity, float(start)), float(start))
            if isinstance(end, int | float) and end >= start:
                durations.setdefault(activity, []).append(float(end) - float(start))
    producers: dict[str, set[str]] = {}  # value -> the tasks that generated it
    for e in scope.edges:
        if e["type"] == "WAS_GENERATED_BY" and e["dst"] in activity_of:
            producers.setdefault(e["src"], set()).add(e["dst"])
    # task pairs, each counted once however many values or declarations link them
    pairs: set[tuple[str, str, str]] = set()
    for e in scope.edges:
        if e["type"] == "USED" and e["src"] in activity_of:
            pairs.update((e["src"], producer, "WAS_INFORMED_BY")
                         for producer in producers.get(e["dst"], ()) if producer != e["src"])
        elif e["type"] in ("WAS_INFORMED_BY", "WAS_PART_OF") and e["src"] in activity_of \
                and e["dst"] in activity_of:
            pairs.add((e["src"], e["dst"], e["type"]))
    links: Counter[tuple[str, str, str]] = Counter()
    for src_task, dst_task, kind in pairs:
        src, dst = activity_of[src_task], activity_of[dst_task]
        if src != dst:
            links[(src, dst, kind)] += 1
    out = ActivityOverview(tasks=len(activity_of), links=[list(p) for p in sorted(pairs)])
    for activity in sorted(statuses, key=lambda a: (first.get(a, float("inf")), a)):
        counts = statuses[activity]
        total = sum(counts.values())
        spent = durations.get(activity)
        mean = sum(spent) / len(spent) if spent else None
        mix = ", ".join(f"{status} {n}" for status, n in sorted(counts.items()))
        label = f"{activity} {TIMES}{total} · {mix}" + (f" · mean {seconds(mean)}"
                                                        if mean is not None else "")
        out.activities.append({
            "id": activity_node_id(activity), "name": activity, "tasks": total,
            "statuses": dict(sorted(counts.items())), "failed": counts.get("ERROR", 0),
            "mean_s": mean, "label": label})
    for (src, dst, kind), count in sorted(links.items()):
        out.edges.append({"s": activity_node_id(src), "t": activity_node_id(dst),
                          "type": kind, "count": count})
    return out


def overview(scope: ViewScope) -> Picture:
    """The activity graph of ``scope``'s tasks, as a picture for SVG and DOT."""
    data = activity_overview(scope)
    picture = Picture()
    for activity in data.activities:
        picture.nodes.append({
            "id": activity["id"], "kind": "activity", "type": "Task",
            "label": activity["label"], "failed": activity["failed"] > 0,
            "count": activity["tasks"], "status": None})
    picture.edges = [{**edge, "role": None} for edge in data.edges]
    return picture


__all__ = ["NO_ACTIVITY", "OVERVIEW_MIN_TASKS", "ActivityOverview", "activity_node_id",
           "activity_overview", "overview", "seconds", "task_count"]
