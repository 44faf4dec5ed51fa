"""A workflow's DAG as text, each step marked with what a run would do (before running).

    workflow config.jsonnet: 3 steps
      ✔ dataset   generate_dataset               cached        3f2a9c1b
      ● model     train_model       <- dataset   will run      8d1e0f22
      ? report    make_report       <- model     at run time   depends on noise

:func:`render_text` is the one entry point the CLI uses, so a graphical view can take its
place without changing callers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from provgraph.workflow.graph import WorkflowGraph

CACHED = "cached"
WILL_RUN = "will run"
FORCED = "forced"
ALWAYS = "not cacheable"
RUNTIME = "at run time"

SYMBOLS = {CACHED: "✔", WILL_RUN: "●", FORCED: "●", ALWAYS: "~", RUNTIME: "?"}
LEGEND = ("✔ cached  ● will run  ~ runs every time (not cacheable)  "
          "? decided when it runs (depends on a value not cached)")


@dataclass(frozen=True)
class Mark:
    """What a run would do with one step."""

    state: str  # one of CACHED, WILL_RUN, FORCED, ALWAYS, RUNTIME
    fingerprint: str | None = None
    note: str = ""


def depths(graph: WorkflowGraph) -> dict[str, int]:
    """Each step's longest distance from a step without upstream (its layer)."""
    depth: dict[str, int] = {}
    for info in graph:
        ups = info.upstream_names()
        depth[info.name] = 1 + max(depth[u] for u in ups) if ups else 0
    return depth


def render_text(graph: WorkflowGraph, marks: Mapping[str, Mark | str], title: str = "") -> str:
    """The DAG, one line per step in dependency order, indented by layer."""
    layer = depths(graph)
    rows: list[tuple[str, str, str, str, str, str]] = []
    for info in graph:
        mark = marks.get(info.name)
        if isinstance(mark, str):
            mark = Mark(mark)
        state = mark.state if mark is not None else ""
        ups = info.upstream_names()
        detail = ""
        if mark is not None:
            detail = mark.note or (mark.fingerprint[:8] if mark.fingerprint else "")
        rows.append((SYMBOLS.get(state, " "), "  " * layer[info.name] + info.name, info.type,
                     ("<- " + ", ".join(ups)) if ups else "", state, detail))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))] if rows else []
    heading = title or f"workflow{(' ' + graph.source) if graph.source else ''}"
    lines = [f"{heading}: {len(graph)} step{'s' if len(graph) != 1 else ''}"]
    for row in rows:
        cells = [cell.ljust(widths[i]) for i, cell in enumerate(row)]
        lines.append(("  " + "  ".join(cells)).rstrip())
    if any(marks.values()):
        lines.append("legend: " + LEGEND)
    return "\n".join(lines)
