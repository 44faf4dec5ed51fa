"""The provenance report: the card's content as a PDF, with plots (matplotlib only).

Plots: a timeline of the tasks per activity, the distribution of their durations, CPU
and memory over time when telemetry was captured, and the dependency graph between
activities drawn small.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from exports.report.campaign import CampaignCard
from exports.report.card import WorkflowCard
from exports.report.markdown import (
    AGGREGATION,
    NO_TELEMETRY,
    affected_text,
    counts,
    plural,
    telemetry_rows,
)
from exports.report.sheet import ACCENT, INK, LINE, MUTED, RULE, Sheet
from exports.report.values import number, seconds, short, size, when
from provgraph.core.redact import redact_url

STATUS_COLORS = {"FINISHED": "#3b8f5a", "ERROR": "#c0392b", "RUNNING": "#d9a21b"}
OTHER_COLOR = "#8896a5"
MAX_ROWS = 18  # activities drawn in the timeline and the distributions


def render_pdf(card: WorkflowCard, path: Path) -> int:
    """Write the report of ``card`` to ``path``; returns the number of pages."""
    sheet = Sheet(path, f"Provenance report · {card.name}", f"{card.generator} · "
                  f"generated {when(card.generated_at)}")
    sheet.title_block(card.name, f"workflow {card.workflow_id} · {card.source}")
    _summary(sheet, card)
    _activities(sheet, card)
    _timeline(sheet, card)
    _durations(sheet, card)
    _telemetry(sheet, card)
    _structure(sheet, card)
    _lineage(sheet, card)
    _failures(sheet, card)
    _artifacts(sheet, card)
    sheet.heading("About this report", 11)
    sheet.para(AGGREGATION.replace("`", ""), color=MUTED)
    sheet.close()
    return sheet.pages


def _summary(sheet: Sheet, card: WorkflowCard) -> None:
    sheet.heading("Summary")
    git = card.git or {}
    git_text = (f"{git.get('branch') or '?'} @ {str(git.get('commit') or '?')[:12]}"
                + (" (uncommitted changes)" if git.get("dirty") else "")
                + (f", {redact_url(str(git['remote']))}" if git.get("remote") else "")
                ) if git else "not in a git repository"
    status = card.status + (f" — {card.status_note}" if card.status_note else "")
    sheet.pairs([
        ("Status", status),
        ("Start", when(card.started_at)),
        ("End", f"{when(card.ended_at)} ({card.end_note})"),
        ("Duration", seconds(card.duration)),
        ("Tasks", f"{sum(card.statuses.values())} in {len(card.activities)} activities: "
                  f"{counts(card.statuses)}"),
        ("Campaign", card.campaign_id or "-"),
        ("Hosts", ", ".join(f"{h} ({n})" if n else h for h, n in card.hosts.most_common())
         or "-"),
        ("Python", (card.python or "-") + (f" on {card.platform}" if card.platform else "")),
        ("provgraph", f"{card.provgraph_version or '-'} (captured)"),
        ("Git", git_text),
        *([("Arguments", ", ".join(f"{k}={short(v, 30)}" for k, v in
                                   list(card.args.items())[:10]))] if card.args else []),
    ])


def _activities(sheet: Sheet, card: WorkflowCard) -> None:
    sheet.heading("Activities")
    rows = [[a.activity_id, str(a.count), counts(a.statuses),
             *(seconds(getattr(a.durations, k)) if a.durations else "-"
               for k in ("median", "p95", "max", "total")),
             ", ".join(c.rsplit(".", 1)[-1] for c in a.code) or "-"] for a in card.activities]
    sheet.table(["Activity", "Tasks", "Status", "Median", "p95", "Max", "Total",
                 "Code version"], rows, [0.2, 0.06, 0.2, 0.08, 0.08, 0.08, 0.08, 0.22])


def _time_axis(card: WorkflowCard) -> float:
    """The timeline's zero: the first task's start (a workflow's own start may come long
    before its first task, and would squeeze every task into the end of the axis)."""
    first = min((v for t in card.tasks
                 for v in (number(t.get("started_at")), number(t.get("ended_at")))
                 if v is not None), default=None)
    if first is not None:
        return first
    return card.started_at if card.started_at is not None else 0.0


def _timeline(sheet: Sheet, card: WorkflowCard) -> None:
    names = [a.activity_id for a in card.activities][:MAX_ROWS]
    if not names:
        return
    height = min(0.42, 0.08 + 0.028 * len(names))
    sheet.heading("Timeline", keep=height)
    ax = sheet.axes(height, left_pad=0.2)
    origin = _time_axis(card)
    row = {name: i for i, name in enumerate(names)}
    bars: dict[str, list[tuple[int, float, float]]] = {}
    points: dict[str, list[tuple[int, float]]] = {}
    for task in card.tasks:
        name = str(task.get("activity_id") or "(no activity_id)")
        if name not in row:
            continue
        start, end = number(task.get("started_at")), number(task.get("ended_at"))
        color = STATUS_COLORS.get(str(task.get("status")), OTHER_COLOR)
        if start is not None and end is not None and end >= start:
            bars.setdefault(color, []).append((row[name], start - origin, end - start))
        elif end is not None or start is not None:
            points.setdefault(color, []).append((row[name], (end or start or 0.0) - origin))
    span = max([b[1] + b[2] for v in bars.values() for b in v]
               + [p[1] for v in points.values() for p in v] + [1e-6])
    # One collection per row and status: a run of 100k tasks draws (and saves) quickly.
    runs: dict[tuple[int, str], list[tuple[float, float]]] = {}
    for color, items in bars.items():
        for i, start, width in items:  # a bar never thinner than a hair: short tasks show
            runs.setdefault((i, color), []).append((start, max(width, span / 300)))
    for (i, color), ranges in runs.items():
        ax.broken_barh(_merged(ranges, span / 1000), (i - 0.3, 0.6), facecolors=color, lw=0)
    for color, marks in points.items():
        ax.scatter([x for _, x in marks], [i for i, _ in marks], marker="|", s=60,
                   color=color, lw=1)
    ax.set_yticks(range(len(names)), [short(n, 28) for n in names], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(0, span * 1.02)
    ax.set_xlabel("seconds since the first task started", fontsize=7, color=MUTED)
    ax.grid(axis="x", color=RULE, lw=0.4)
    used = Counter(str(t.get("status")) for t in card.tasks)
    handles = [sheet.plt.Rectangle((0, 0), 1, 1, color=STATUS_COLORS.get(s, OTHER_COLOR))
               for s in used]
    ax.legend(handles, list(used), fontsize=6.5, frameon=False, loc="lower right",
              bbox_to_anchor=(1.0, 1.0), ncols=len(used))


def _durations(sheet: Sheet, card: WorkflowCard) -> None:
    timed = [a for a in card.activities if a.durations][:MAX_ROWS]
    if not timed:
        sheet.para("No task has both a start and an end time (lightweight tasks record no "
                   "start), so no durations are drawn.", color=MUTED)
        return
    height = min(0.4, 0.08 + 0.028 * len(timed))
    sheet.heading("Durations per activity", keep=height)
    ax = sheet.axes(height, left_pad=0.2)
    by_name: dict[str, list[float]] = {a.activity_id: [] for a in timed}
    for task in card.tasks:
        name = str(task.get("activity_id") or "(no activity_id)")
        start, end = number(task.get("started_at")), number(task.get("ended_at"))
        if name in by_name and start is not None and end is not None and end >= start:
            by_name[name].append(max(end - start, 1e-7))
    data = [by_name[a.activity_id] for a in timed]
    boxed = [i for i, values in enumerate(data) if len(values) >= 5]
    if boxed:  # a box says something from five tasks on; every task is a dot anyway
        ax.boxplot([data[i] for i in boxed], positions=[i + 1 for i in boxed],
                   orientation="horizontal",
                   widths=0.55, patch_artist=True, showfliers=False,
                   boxprops={"facecolor": "#dce6f0", "edgecolor": ACCENT, "lw": 0.8},
                   medianprops={"color": ACCENT, "lw": 1.2},
                   whiskerprops={"color": ACCENT, "lw": 0.8}, capprops={"color": ACCENT})
    for i, values in enumerate(_thinned(v) for v in data):
        jitter = [((k * 0.618) % 1 - 0.5) * 0.3 if len(values) > 1 else 0.0
                  for k in range(len(values))]
        ax.scatter(values, [i + 1 + j for j in jitter], s=14, color=ACCENT, alpha=0.6, lw=0,
                   zorder=3)
    low = min(min(v) for v in data)
    high = max(max(v) for v in data)
    if high / max(low, 1e-9) > 50:
        ax.set_xscale("log")
    ax.set_ylim(0.4, len(timed) + 0.6)
    ax.set_yticks(range(1, len(timed) + 1),
                  [f"{short(a.activity_id, 24)} (n={a.count})" for a in timed], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("task duration (s)", fontsize=7, color=MUTED)
    ax.grid(axis="x", color=RULE, lw=0.4)


def _telemetry(sheet: Sheet, card: WorkflowCard) -> None:
    t = card.telemetry
    sheet.heading("Resources")
    if not t:
        sheet.para(NO_TELEMETRY.replace("`", ""), color=MUTED)
        return
    facts = telemetry_rows(t)
    sheet.pairs(facts, key_width=0.3)
    series = [p for p in t.series if p[1] is not None or p[2] is not None]
    if len(series) < 2:
        return
    origin = _time_axis(card)
    ax = sheet.axes(0.2)
    for index, (label, color) in enumerate((("CPU %", ACCENT), ("memory %", "#c77d1a"))):
        points = [(p[0] - origin, value) for p in series
                  if (value := p[index + 1]) is not None]
        if not points:
            continue
        xs, ys = [x for x, _ in points], [y for _, y in points]
        # snapshots are instants (CPU jumps between 0 and 100): dots, and a moving mean
        ax.scatter(xs, ys, s=6, color=color, alpha=0.35, lw=0)
        ax.plot(xs, _moving_mean(ys, max(1, len(ys) // 15)), lw=1.3, color=color,
                label=f"{label} (moving mean)")
    ax.set_ylim(0, 100)
    ax.set_ylabel("% of the machine", fontsize=7, color=MUTED)
    ax.set_xlabel("seconds since the first task started (task start and end snapshots)",
                  fontsize=7, color=MUTED)
    ax.grid(color=RULE, lw=0.4)
    ax.legend(fontsize=6.5, frameon=False, loc="upper right", ncols=2)


def _merged(ranges: list[tuple[float, float]], gap: float) -> list[tuple[float, float]]:
    """(start, width) ranges joined where less than ``gap`` apart: what the page can show."""
    out: list[tuple[float, float]] = []
    for start, width in sorted(ranges):
        if out and start <= out[-1][0] + out[-1][1] + gap:
            first, first_width = out[-1]
            out[-1] = (first, max(first_width, start + width - first))
        else:
            out.append((start, width))
    return out


def _thinned(values: list[float], limit: int = 1500) -> list[float]:
    """At most ``limit`` of ``values``, evenly picked (the dots of one activity)."""
    if len(values) <= limit:
        return values
    step = len(values) / limit
    return [values[int(i * step)] for i in range(limit)]


def _moving_mean(values: list[float], window: int) -> list[float]:
    out = []
    total = 0.0
    for i, value in enumerate(values):
        total += value
        if i >= window:
            total -= values[i - window]
        out.append(total / min(i + 1, window))
    return out


def _structure(sheet: Sheet, card: WorkflowCard) -> None:
    linked = {n for edge in (*card.activity_edges, *card.nesting) for n in edge}
    names = [a.activity_id for a in card.activities if a.activity_id in linked]
    if not names:
        sheet.heading("Dependencies between activities")
        sheet.para("No task used a value another task of this run generated, and no task ran "
                   "inside another: the activities are independent.", color=MUTED)
        return
    layers = _layers(names, card.activity_edges + card.nesting)
    depth = max(layers.values()) + 1
    width = max(Counter(layers.values()).values())
    height = min(0.36, 0.06 + 0.07 * depth)
    sheet.heading("Dependencies between activities", keep=height)
    ax = sheet.axes(height, left_pad=0.0)
    ax.set_axis_off()
    position: dict[str, tuple[float, float]] = {}
    for level in range(depth):
        members = [n for n in names if layers.get(n) == level]
        for i, name in enumerate(members):
            position[name] = ((i + 1) / (len(members) + 1), 1 - (level + 0.5) / depth)
    for edges, style in ((card.activity_edges, "-"), (card.nesting, "--")):
        for (src, dst), n in edges.items():
            if src not in position or dst not in position:
                continue
            (x0, y0), (x1, y1) = position[src], position[dst]
            ax.annotate("", xy=(x1, y1), xytext=(x0, y0), xycoords="axes fraction",
                        arrowprops={"arrowstyle": "-|>", "color": ACCENT if style == "-"
                                    else MUTED, "lw": 0.9, "ls": style,
                                    "shrinkA": 12, "shrinkB": 12})
            ax.text((x0 + x1) / 2 + 0.01, (y0 + y1) / 2, str(n), fontsize=6.5, color=MUTED,
                    transform=ax.transAxes, ha="left", va="center")
    font = 8 if width < 5 else 6.5
    failed = {a.activity_id for a in card.activities if a.statuses.get("ERROR")}
    for name, (x, y) in position.items():
        bad = name in failed
        ax.text(x, y, short(name, 24), transform=ax.transAxes, ha="center", va="center",
                fontsize=font, color=INK,
                bbox={"boxstyle": "round,pad=0.4", "fc": "#f6dcd8" if bad else "#dce6f0",
                      "ec": STATUS_COLORS["ERROR"] if bad else ACCENT, "lw": 0.8})
    alone = [a.activity_id for a in card.activities if a.activity_id not in linked]
    sheet.para("Solid arrows: the next activity used values the first generated (numbers: "
               "task pairs). Dashed: tasks that ran inside tasks of the first (numbers: tasks). "
               "Red: activities with failed tasks."
               + (f" Independent: {', '.join(alone)}." if alone else ""), color=MUTED)


def _layers(names: list[str], edges: Counter[tuple[str, str]]) -> dict[str, int]:
    """A layer per activity: the longest path from an activity nothing feeds (cycles cut)."""
    incoming: dict[str, set[str]] = {n: set() for n in names}
    for src, dst in edges:
        if src in incoming and dst in incoming:
            incoming[dst].add(src)
    layer: dict[str, int] = {}
    for _ in range(len(names) + 1):
        changed = False
        for name in names:
            value = max((layer.get(s, 0) + 1 for s in incoming[name]), default=0)
            value = min(value, len(names) - 1)
            if layer.get(name) != value:
                layer[name], changed = value, True
        if not changed:
            break
    return layer


def _lineage(sheet: Sheet, card: WorkflowCard) -> None:
    sheet.heading("Lineage of the final outputs", keep=LINE * 6)
    if not card.outputs:
        sheet.para("No task generated a final output.", color=MUTED)
        return
    sheet.para(f"{card.final_total} tasks generated values no other task of the run used; "
               "the latest of each activity is traced back.", color=MUTED)
    for item in card.outputs:
        via = ", ".join(f"{a} ×{n}" for a, n in item.via.most_common()) or "no other task"
        sheet.pairs([(short(item.activity_id, 24), f"outputs {', '.join(item.outputs) or '-'}"),
                     ("", f"from inputs {', '.join(item.inputs) or 'none recorded'}"),
                     ("", f"through {via} ({plural(item.upstream_nodes, 'upstream node')})")])


def _failures(sheet: Sheet, card: WorkflowCard) -> None:
    sheet.heading("Failed tasks and what they affected", keep=LINE * 4)
    if not card.failures_total:
        sheet.para("No task failed.", color=MUTED)
        return
    rows = [[f.activity_id, f.task_id, f.error, affected_text(f)] for f in card.failures]
    sheet.table(["Activity", "Task", "Error", "Affected"], rows, [0.16, 0.17, 0.35, 0.32])
    if card.failures_total > len(card.failures):
        sheet.para(f"… and {card.failures_total - len(card.failures)} more failed tasks.",
                   color=MUTED)


def _artifacts(sheet: Sheet, card: WorkflowCard) -> None:
    sheet.heading("Artifacts", keep=LINE * 5)
    if not card.artifacts:
        sheet.para("No task generated a value.", color=MUTED)
        return
    rows = [[a.activity_id, a.role, a.value_type, str(a.count), size(a.total_bytes),
             size(a.max_bytes), a.example] for a in card.artifacts]
    sheet.table(["Activity", "Output", "Type", "Count", "Total", "Largest", "Last value"],
                rows, [0.18, 0.14, 0.1, 0.07, 0.1, 0.1, 0.31], limit=25)
    if card.raw_data:
        sheet.para(f"Raw data: {plural(sum(card.raw_data.values()), 'task')}, "
                   f"{size(card.raw_data_bytes)} ({counts(card.raw_data)}); the graph keeps "
                   "hash, size and media type.", color=MUTED)


def render_campaign_pdf(campaign: CampaignCard, path: Path) -> int:
    cards = campaign.workflows
    sheet = Sheet(path, f"Campaign report · {campaign.campaign_id}",
                  f"{cards[0].generator if cards else 'provgraph'}")
    sheet.title_block(f"Campaign {campaign.campaign_id}",
                      f"{len(cards)} workflows · {campaign.source}")
    sheet.heading("Workflows")
    sheet.table(["Workflow", "Status", "Start", "Duration", "Tasks", "Failed"],
                [[c.name, c.status, when(c.started_at), seconds(c.duration),
                  str(sum(c.statuses.values())), str(c.failures_total)] for c in cards],
                [0.3, 0.12, 0.26, 0.12, 0.1, 0.1])
    timed = [c for c in cards if c.duration is not None]
    if timed:
        sheet.heading("Duration per workflow")
        ax = sheet.axes(min(0.4, 0.08 + 0.03 * len(timed)), left_pad=0.22)
        ax.barh(range(len(timed)), [c.duration or 0.0 for c in timed],
                color=[STATUS_COLORS.get(c.status, OTHER_COLOR) for c in timed])
        ax.set_yticks(range(len(timed)), [short(c.name, 30) for c in timed], fontsize=7)
        ax.invert_yaxis()
        ax.set_xlabel("seconds", fontsize=7, color=MUTED)
        ax.grid(axis="x", color=RULE, lw=0.4)
    sheet.heading("Parameters that differ")
    if campaign.parameters:
        shown = campaign.parameters[:6]
        sheet.table(["Workflow", *shown],
                    [[c.name, *(short(campaign.values[c.workflow_id].get(p, "-"), 24)
                                for p in shown)] for c in cards],
                    [0.28, *([0.72 / len(shown)] * len(shown))])
    else:
        sheet.para("No argument or first input the workflows share has different values.",
                   color=MUTED)
    sheet.y -= LINE
    sheet.close()
    return sheet.pages
