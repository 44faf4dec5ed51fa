"""The provenance card as markdown (GitHub-flavoured tables; readable as plain text).

Every captured string (names, ids, values, errors, hosts...) is escaped for the place it
lands in, so the card renders as text in any CommonMark viewer (GitHub, IDE previews):
:func:`text` for prose, headings and table cells (one line; the characters that make HTML,
images, links, autolinks, emphasis, entities or cells backslash-escaped, the rest left as
it is so that the card stays readable as plain text),
:func:`code` for code spans (a fence of backticks longer than any run inside, one line) and
:func:`fenced` for the lines of a fenced block (a fence longer than any run inside).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from exports.report.card import WorkflowCard
from exports.report.telemetry import TelemetrySummary
from exports.report.values import offset, percent, seconds, short, size, when
from provgraph.core.redact import redact_url

AGGREGATION = ("Tasks are grouped by `activity_id`; durations are `ended_at - started_at` "
               "of the tasks that have both (lightweight tasks record no start). Telemetry "
               "figures come from the task start and end snapshots. Lineage follows "
               "USED / WAS_GENERATED_BY / WAS_INFORMED_BY edges of the PROV graph, at most "
               "10 hops.")


_ESCAPE = {ord(c): "\\" + c for c in "\\`*[]<>!&|~#{}"}
_EMAIL = re.compile(r"@(?=[\w-]+\.)")  # GFM links bare e-mail addresses
# "_" between letters or digits never starts or ends emphasis (snake_case stays readable)
_UNDERSCORE = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
_AUTOLINK = re.compile(r"(?i)(://|\bwww\.)")  # GFM links bare URLs: break them up
_BACKTICKS = re.compile("`+")


class Md(str):
    """Markdown made here (a code span, an escaped list): a table keeps it as it is."""


def _line(value: Any) -> str:
    out = value if isinstance(value, str) else str(value)
    return " ".join(out.split())  # newlines (and other breaks) cannot start a block


def text(value: Any) -> str:
    """Captured text as markdown text: one line, active characters backslash-escaped."""
    out = _EMAIL.sub(r"\\@", _UNDERSCORE.sub(r"\\_", _line(value).translate(_ESCAPE)))
    return Md(_AUTOLINK.sub(lambda m: "\\" + m.group() if m.group() == "://"
                            else m.group()[:-1] + "\\.", out))


def cell(value: Any) -> str:
    """A table cell: markdown made here as it is, anything else as :func:`text`; ``-``
    when empty."""
    if isinstance(value, Md):
        return value or "-"
    return text(value) or "-"


def code(value: Any, *, in_table: bool = False) -> str:
    """Captured text as a code span: a backtick fence longer than any run inside, padded
    when the text starts or ends with a backtick; in a table, pipes escaped (GFM splits
    cells before it reads code spans)."""
    out = _line(value)
    longest = max((len(m) for m in _BACKTICKS.findall(out)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if out.startswith("`") or out.endswith("`") or not out.strip() else ""
    if in_table:
        out = out.replace("|", "\\|")
    return Md(f"{fence}{pad}{out}{pad}{fence}")


def fenced(lines: Sequence[str], info: str = "text") -> list[str]:
    """``lines`` (captured text, one line each) as a fenced code block that they cannot
    close."""
    body = [" ".join(line.splitlines()) for line in lines]
    longest = max((len(m) for line in body for m in _BACKTICKS.findall(line)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence + info, *body, fence]


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> list[str]:
    lines = ["| " + " | ".join(cell(h) for h in headers) + " |",
             "|" + "|".join("---" for _ in headers) + "|"]
    lines.extend("| " + " | ".join(cell(v) for v in row) + " |" for row in rows)
    return lines


def plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def counts(counter: Counter[str]) -> str:
    return Md(", ".join(f"{text(k)} {v}" for k, v in counter.most_common()) or "-")


def git_text(git: dict[str, Any] | None) -> str:
    if not git:
        return "not in a git repository (or git not found)"
    commit = str(git.get("commit") or "?")[:12]
    parts = [f"{code(git.get('branch') or '?')} @ {code(commit)}"]
    dirty = git.get("dirty")
    if dirty is not None:
        parts.append("uncommitted changes" if dirty else "clean")
    remote = git.get("remote")
    if isinstance(remote, str) and remote:
        parts.append(f"remote {code(redact_url(remote))}")
    return ", ".join(parts)


def render_card(card: WorkflowCard) -> str:
    lines: list[str] = [f"# Provenance card: {cell(card.name)}", ""]
    lines += ["## 1. Workflow", "",
              f"- **Name:** {cell(card.name)}",
              f"- **Workflow ID:** {code(card.workflow_id)}"]
    if card.campaign_id:
        lines.append(f"- **Campaign ID:** {code(card.campaign_id)}")
    if card.subtype:
        lines.append(f"- **Subtype:** {cell(card.subtype)}")
    if card.user:
        lines.append(f"- **User:** {cell(card.user)}")
    if card.args:
        lines.append("- **Workflow arguments:** " + ", ".join(
            f"{code(k)} = {code(short(v, 40))}" for k, v in list(card.args.items())[:12]))
    status = f"**{text(card.status)}**" + (
        f" ({cell(card.status_note)})" if card.status_note else "")
    lines += ["", "## 2. Summary", "",
              f"- **Status:** {status}",
              f"- **Start:** {when(card.started_at)}",
              f"- **End:** {when(card.ended_at)} ({card.end_note})",
              f"- **Duration:** {seconds(card.duration)}",
              f"- **Tasks:** {sum(card.statuses.values())} in {len(card.activities)} "
              f"activities; {counts(card.statuses)}"]
    if card.completeness:
        lines.append(f"- **Completeness:** {cell(card.completeness)}")
    lines += ["", "## 3. Infrastructure", "",
              "- **Hosts:** " + (", ".join(
                  f"{code(h)} ({n} task{'s' if n != 1 else ''})" if n else code(h)
                  for h, n in card.hosts.most_common()) or "-") + (
                  f"; {card.hosts_unknown} tasks record no host (lightweight tasks and "
                  "loop iterations do not)" if card.hosts_unknown else ""),
              f"- **Python:** {cell(card.python or '-')}" + (
                  f" on {cell(card.platform)}" if card.platform else ""),
              f"- **provgraph:** {cell(card.provgraph_version or '-')} (captured), "
              f"{card.generator} (this card)",
              f"- **Git:** {git_text(card.git)}"]
    lines += ["", "## 4. Overview", "", *table(["Status", "Tasks"], card.statuses.most_common())]
    lines += ["", "### Dependencies between activities", ""]
    if card.activity_edges or card.nesting:
        block = [f"{_line(src)} ──▶ {_line(dst)}  ({plural(n, 'task pair')})"
                 for (src, dst), n in card.activity_edges.items()]
        block += [f"{_line(child)} ⊂ {_line(parent)}  ({plural(n, 'task')} inside)"
                  for (parent, child), n in sorted(card.nesting.items())]
        lines += fenced(block)
        lines += ["", "`a ──▶ b`: b used values a generated; `a ⊂ b`: a ran inside b."]
    else:
        lines.append("No task used a value another task of this run generated.")
    lines += ["", "## 5. Activities", "",
              "Durations per task; *from* and *to*: the first start and the last end, after "
              "the run's start.", "", *table(
        ["Activity", "Tasks", "Status", "Median", "Mean", "p95", "Max", "Total", "From", "To"],
        ([a.activity_id, a.count, counts(a.statuses),
          *(seconds(getattr(a.durations, k)) if a.durations else "-"
            for k in ("median", "mean", "p95", "max", "total")),
          offset(a.first_start, card.started_at), offset(a.last_end, card.started_at)]
         for a in card.activities))]
    lines += ["", "### Code version of each activity", ""]
    coded = [a for a in card.activities if a.code]
    if coded:
        lines += table(["Activity", "Code (module.qualname @ source hash)", "Versions"],
                       ([a.activity_id, ", ".join(a.code), len(a.code)] for a in coded))
        changed = [a.activity_id for a in coded if len(a.code) > 1]
        if changed:
            lines += ["", f"The code of {', '.join(map(text, changed))} changed during the run."]
    uncoded = [a.activity_id for a in card.activities if not a.code]
    if uncoded:
        lines += ["", f"No code recorded for: {', '.join(map(text, uncoded))} "
                  "(loops, explicit tasks)."]
    lines += ["", "## 6. Artifacts", "", "Values the tasks generated, largest first.", ""]
    if card.artifacts:
        lines += table(["Activity", "Output", "Type", "Count", "Total size", "Largest",
                        "Last value"],
                       ([a.activity_id, a.role, a.value_type, a.count, size(a.total_bytes),
                         size(a.max_bytes), code(a.example, in_table=True)]
                        for a in card.artifacts[:25]))
        if len(card.artifacts) > 25:
            lines.append(f"\n… and {len(card.artifacts) - 25} more outputs.")
    else:
        lines.append("No task generated a value.")
    if card.raw_data:
        lines += ["", f"Raw data: {plural(sum(card.raw_data.values()), 'task')}, "
                      f"{size(card.raw_data_bytes)} in all ({counts(card.raw_data)}); the graph "
                      "keeps its hash, size and media type, not the bytes."]
    lines += ["", "## 7. Aggregated telemetry", ""]
    lines += _telemetry(card)
    lines += ["", "## 8. Lineage of the final outputs", ""]
    lines += _outputs(card)
    lines += ["", "## 9. Failed tasks and what they affected", ""]
    lines += _failures(card)
    lines += ["", "## About this card", "",
              f"- **Source:** {cell(card.source)}",
              f"- **Generated:** {when(card.generated_at)} by {card.generator}",
              f"- **Aggregation:** {AGGREGATION}", ""]
    return "\n".join(lines)


NO_TELEMETRY = ("No telemetry was captured (set `instrumentation.telemetry.enabled`, "
                "`PROVGRAPH_TELEMETRY=true`, or use `@telemetry_flowcept_task`).")


def telemetry_rows(t: TelemetrySummary) -> list[tuple[str, str]]:
    """The aggregated telemetry as (metric, value) pairs; both renderers show these."""
    rows: list[tuple[str, str]] = [("Tasks with telemetry", str(t.tasks))]
    for label, found in (("CPU (machine), mean / max", t.cpu_percent),
                         ("Memory (machine), mean / max", t.memory_percent),
                         ("GPU utilization, mean / max", t.gpu_utilization)):
        if found:
            rows.append((label, f"{percent(found.mean)} / {percent(found.max)}"))
    if t.process_rss_max is not None:
        rows.append(("Process memory (RSS), max", size(t.process_rss_max)))
    for label, value in (("Disk read during tasks", t.disk_read_bytes),
                         ("Disk written during tasks", t.disk_write_bytes),
                         ("Network sent during tasks", t.net_sent_bytes),
                         ("Network received during tasks", t.net_recv_bytes)):
        if value is not None:
            rows.append((label, size(value)))
    return rows


def _telemetry(card: WorkflowCard) -> list[str]:
    if not card.telemetry:
        return [NO_TELEMETRY]
    return table(["Metric", "Value"], telemetry_rows(card.telemetry))


def _outputs(card: WorkflowCard) -> list[str]:
    if not card.outputs:
        return ["No task generated a final output (one no other task of the run used)."]
    lines = [f"{card.final_total} tasks generated values no other task of the run used; the "
             "latest of each activity is traced back.", ""]
    for item in card.outputs:
        via = ", ".join(f"{text(a)} ×{n}" for a, n in item.via.most_common()) or "no other task"
        lines += [f"- **{text(item.activity_id)}** (task {code(item.task_id)}"
                  + (f", 1 of {item.final_tasks}" if item.final_tasks > 1 else "") + ")",
                  f"  - outputs: {', '.join(code(o) for o in item.outputs) or '-'}",
                  f"  - derived from inputs: "
                  f"{', '.join(code(i) for i in item.inputs) or 'none recorded'}",
                  f"  - through tasks: {via} ({plural(item.upstream_nodes, 'upstream node')})"]
    return lines


def affected_text(failure: Any) -> str:
    parts = []
    if failure.raised_through:
        parts.append("failed with it: " + " → ".join(map(text, failure.raised_through)))
    downstream = ", ".join(f"{text(a)} ×{n}" for a, n in failure.affected.most_common())
    if failure.affected_values:
        downstream += (", " if downstream else "") + plural(failure.affected_values, "value")
    parts.append(f"downstream: {downstream}" if downstream else "nothing downstream")
    return Md("; ".join(parts))


def _failures(card: WorkflowCard) -> list[str]:
    if not card.failures_total:
        return ["No task failed."]
    lines = table(["Task", "Activity", "Error", "Ended", "Affected"],
                  ([code(f.task_id, in_table=True), f.activity_id, f.error, offset(f.ended_at,
                                                                     card.started_at),
                    affected_text(f)] for f in card.failures))
    if card.failures_total > len(card.failures):
        lines.append(f"\n… and {card.failures_total - len(card.failures)} more failed tasks.")
    return lines
