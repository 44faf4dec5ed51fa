"""The activity-level overview of a large workflow, for the static pictures (SVG, DOT):
one node per activity (its task count, status mix and mean duration) and edges between
activities with counts, as Flowcept's dataflow view and Kedro-Viz show pipelines. Values
are not drawn: a value one activity generated and another used is an edge between them."""

from __future__ import annotations

from collections import Counter

from exports.views.collapse import Picture
from exports.views.model import TIMES
from exports.views.scope import ViewScope

# Workflows with more tasks than this are drawn as their overview in SVG and DOT.
OVERVIEW_MIN_TASKS = 200


def task_count(scope: ViewScope) -> int:
    return sum(1 for record in scope.nodes.values() if record["labels"][-1:] == ["Task"])


def _seconds(value: float) -> str:
    if value < 1e-3:
        return f"{value * 1e6:.0f} µs"
    if value < 1:
        return f"{value * 1e3:.1f} ms"
    return f"{value:.2f} s" if value < 120 else f"{value / 60:.1f} min"


def overview(scope: ViewScope) -> Picture:
    """The activity graph of ``scope``'s tasks."""
    activity_of: dict[str, str] = {}
    statuses: dict[str, Counter[str]] = {}
    durations: dict[str, list[float]] = {}
    for node_id, record in scope.nodes.items():
        if record["labels"][-1:] != ["Task"]:
            continue
        props = record["props"]
        activity = str(props.get("activity_id") or "?")
        activity_of[node_id] = activity
        statuses.setdefault(activity, Counter())[str(props.get("status") or "UNKNOWN")] += 1
        start, end = props.get("started_at"), props.get("ended_at")
        if isinstance(start, int | float) and isinstance(end, int | float) and end >= start:
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
                         for producer in producers.get(e["dst"], ()))
        elif e["type"] in ("WAS_INFORMED_BY", "WAS_PART_OF") and e["src"] in activity_of \
                and e["dst"] in activity_of:
            pairs.add((e["src"], e["dst"], e["type"]))
    links: Counter[tuple[str, str, str]] = Counter()
    for src_task, dst_task, kind in pairs:
        src, dst = activity_of[src_task], activity_of[dst_task]
        if src != dst:
            links[(src, dst, kind)] += 1
    picture = Picture()
    for activity in sorted(statuses):
        counts = statuses[activity]
        total = sum(counts.values())
        mix = ", ".join(f"{status} {n}" for status, n in sorted(counts.items()))
        spent = durations.get(activity)
        mean = f" · mean {_seconds(sum(spent) / len(spent))}" if spent else ""
        failed = counts.get("ERROR", 0)
        picture.nodes.append({
            "id": f"activity:{activity}", "kind": "activity", "type": "Task",
            "label": f"{activity} {TIMES}{total} · {mix}{mean}", "failed": failed > 0,
            "count": total, "status": None})
    for (src, dst, kind), count in sorted(links.items()):
        picture.edges.append({"s": f"activity:{src}", "t": f"activity:{dst}", "type": kind,
                              "role": None, "count": count})
    return picture


__all__ = ["OVERVIEW_MIN_TASKS", "overview", "task_count"]
