"""``Flowcept.generate_report`` and ``provgraph report``: pick the input, build, render.

    from capture import Flowcept
    Flowcept.generate_report()                                   # default buffer file
    Flowcept.generate_report(workflow_id=wid, print_markdown=True)
    Flowcept.generate_report(report_type="provenance_report", format="pdf",
                             input_jsonl_path="run.jsonl", output_path="run.pdf")
    Flowcept.generate_report(campaign_id="camp-1")               # the campaign card

Report types: ``provenance_card`` (markdown; ``workflow_card``, Flowcept 1.0.3's own
name, is the same) and ``provenance_report`` (PDF). An input holding several workflows,
or ``campaign_id``, gives the campaign card (or, as PDF, the campaign report).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from exports.report import inputs
from exports.report.campaign import build_campaign, render_campaign
from exports.report.card import build_card
from exports.report.markdown import render_card
from exports.report.terminal import check_rich, print_markdown
from provgraph.core.errors import ReportError
from provgraph.core.files import atomic_path, resolve_target

log = logging.getLogger(__name__)

CARD, REPORT = "provenance_card", "provenance_report"
ALIASES = {"workflow_card": CARD}
REPORT_FORMATS = {CARD: "markdown", REPORT: "pdf"}
DEFAULT_OUTPUT = {(CARD, False): "PROVENANCE_CARD.md", (REPORT, False): "PROVENANCE_REPORT.pdf",
                  (CARD, True): "CAMPAIGN_CARD.md", (REPORT, True): "CAMPAIGN_REPORT.pdf"}

Progress = Callable[[str], None]


def resolve_type(report_type: Any, format: Any) -> tuple[str, str]:
    """The report type and its format, checked (a format of ``None`` is the type's own)."""
    kind = ALIASES.get(report_type, report_type) if isinstance(report_type, str) else None
    if kind not in REPORT_FORMATS:
        raise ReportError(f"report_type must be {CARD} or {REPORT}, got {report_type!r}")
    wanted = REPORT_FORMATS[kind]
    if format is not None and format != wanted:
        if format not in REPORT_FORMATS.values():
            raise ReportError(f"format must be markdown or pdf, got {format!r}")
        raise ReportError(f"{kind} supports only the {wanted} format, not {format!r}")
    return kind, wanted


def generate_report(
    report_type: str = CARD,
    format: str | None = None,
    print_markdown: bool = False,
    output_path: str | os.PathLike[str] | None = None,
    input_jsonl_path: str | os.PathLike[str] | None = None,
    records: list[dict[str, Any]] | None = None,
    workflow_id: str | None = None,
    campaign_id: str | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Write a report; returns ``{report_type, format, output, input_mode, ...}``."""
    kind, fmt = resolve_type(report_type, format)
    if print_markdown and fmt == "markdown":
        check_rich()
    mode = inputs.select_mode(input_jsonl_path, records, workflow_id, campaign_id)
    say = progress or (lambda _text: None)
    with inputs.open_input(mode, input_jsonl_path=input_jsonl_path, records=records,
                           workflow_id=workflow_id, campaign_id=campaign_id) as data:
        say(f"read {len(data.tasks)} tasks of {len(data.workflows)} workflow(s) from "
            f"{data.where}")
        with_tasks = [wid for wid in data.workflows if data.tasks_of(wid)]
        is_campaign = campaign_id is not None or len(with_tasks) > 1
        target = _target(output_path, DEFAULT_OUTPUT[(kind, is_campaign)])
        result: dict[str, Any] = {
            "report_type": kind, "format": fmt, "output": str(target), "input_mode": mode,
            "skipped_lines": data.skipped_lines, "tasks": len(data.tasks),
        }
        if is_campaign:
            campaign = build_campaign(data)
            result.update(campaign_id=campaign.campaign_id,
                          workflows=[c.workflow_id for c in campaign.workflows])
            if fmt == "markdown":
                text = render_campaign(campaign)
                _write_text(target, text)
                result["markdown"] = text
            else:
                from exports.report.pdf import render_campaign_pdf

                result["pages"] = _write_pdf(target,
                                             lambda p: render_campaign_pdf(campaign, p))
        else:
            card = build_card(data, with_tasks[0])
            result.update(workflow_id=card.workflow_id, status=card.status)
            if fmt == "markdown":
                text = render_card(card)
                _write_text(target, text)
                result["markdown"] = text
            else:
                from exports.report.pdf import render_pdf

                result["pages"] = _write_pdf(target, lambda p: render_pdf(card, p))
    say(f"wrote {target}")
    if print_markdown and fmt == "markdown":
        print_markdown_text(result["markdown"])
    return result


def print_markdown_text(text: str) -> None:
    print_markdown(text)


def _target(output_path: str | os.PathLike[str] | None, default: str) -> Path:
    if output_path is None:
        return Path(default)
    if not isinstance(output_path, str | os.PathLike):
        raise ReportError(f"output_path must be a path, got {type(output_path).__name__}")
    path = Path(output_path)
    target = path / default if path.is_dir() else path
    resolve_target(target)  # a missing directory is one line, and none is created
    return target


def _write_text(target: Path, text: str) -> None:
    _atomic(target, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def _write_pdf(target: Path, render: Callable[[Path], int]) -> int:
    pages: list[int] = []
    _atomic(target, lambda tmp: pages.append(render(tmp)))
    return pages[0]


def _atomic(target: Path, write: Callable[[Path], Any]) -> None:
    """Write through a temporary file beside ``target``: a reader never sees half a report."""
    try:
        with atomic_path(target) as tmp:
            write(tmp)
    except OSError as exc:
        raise ReportError(f"cannot write {target}: {exc.strerror or exc}") from exc


class ReportsProvider:
    """Implements :class:`provgraph.core.providers.Reports` (entry point ``reports``)."""

    def generate_report(self, **options: Any) -> dict[str, Any]:
        return generate_report(**options)


REPORTS = ReportsProvider()
