"""Numbering of repeated tasks, the same in every view: a task of an activity its workflow
runs more than once is "evaluate #2" wherever it is drawn (the whole workflow, the lineage
around a node, an imported copy), because the number is its rank among all the tasks of
that activity in its workflow, by start time then id (the store's own order), not among
the tasks a view happens to hold."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from prov_model.vocab import TASK

if TYPE_CHECKING:
    from keeper.stores.base import Store

# An activity run more often than this in one workflow is looked up no further: past it
# the tasks are numbered among those the view holds (a view that large opens collapsed).
SIBLINGS_CAP = 50_000


def _order(node_id: str, props: dict[str, Any]) -> tuple[bool, float, str]:
    started = props.get("started_at")
    if isinstance(started, int | float) and not isinstance(started, bool):
        return (False, float(started), node_id)
    return (True, 0.0, node_id)


def repeat_ordinals(store: Store, nodes: Mapping[str, Mapping[str, Any]],
                    complete: str | None = None) -> dict[str, int]:
    """``{task id: number}`` for the tasks in ``nodes`` whose activity runs more than once
    in their workflow. ``complete``: a workflow all of whose tasks are in ``nodes`` (its
    tasks are ranked without asking the store)."""
    runs: dict[tuple[Any, str], list[str]] = {}
    for node_id, record in nodes.items():
        props = record["props"]
        if record["labels"][-1:] == ["Task"] and props.get("activity_id"):
            runs.setdefault((props.get("workflow_id"), str(props["activity_id"])),
                            []).append(node_id)
    ordinal: dict[str, int] = {}
    for (workflow, activity), members in runs.items():
        if workflow is None or workflow == complete:
            ranked = sorted(members, key=lambda i: _order(i, nodes[i]["props"]))
        else:
            found = store.find_nodes(TASK, {"workflow_id": workflow, "activity_id": activity},
                                     SIBLINGS_CAP)
            ranked = [n["id"] for n in sorted(found, key=lambda n: _order(n["id"], n["props"]))]
            if not set(members) <= set(ranked):
                ranked = sorted(members, key=lambda i: _order(i, nodes[i]["props"]))
        if len(ranked) > 1:
            wanted = set(members)
            ordinal.update((i, rank) for rank, i in enumerate(ranked, 1) if i in wanted)
    return ordinal


__all__ = ["repeat_ordinals"]
