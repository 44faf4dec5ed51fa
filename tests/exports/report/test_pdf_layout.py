"""The PDF report's layout: the timeline starts at the first task, and no table cell runs
into the next column, whatever the text."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from exports.report.pdf import _time_axis
from exports.report.sheet import LEFT, RIGHT, Sheet


def test_the_timeline_starts_at_the_first_task_not_at_the_workflow() -> None:
    card = SimpleNamespace(started_at=1000.0, tasks=[
        {"started_at": 1900.0, "ended_at": 1901.0}, {"started_at": 1950.0}])
    assert _time_axis(card) == 1900.0  # type: ignore[arg-type]
    assert _time_axis(SimpleNamespace(started_at=5.0, tasks=[])) == 5.0  # type: ignore[arg-type]


def test_no_cell_runs_into_the_next_column(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    sheet = Sheet(tmp_path / "t.pdf", "layout", "footer")
    widths = [0.16, 0.17, 0.35, 0.32]
    wide = "W" * 200  # the widest letters, far too many for any column
    sheet.table(["Activity", "Task", "Error", "Affected"],
                [[wide, "task-" + "M" * 120, "ValueError: " + "W" * 300, wide]], widths)
    fig = sheet.fig
    renderer = fig.canvas.get_renderer()
    span = RIGHT - LEFT
    edges = [LEFT + sum(widths[:i + 1]) * span for i in range(len(widths))]
    cells = [t for t in fig.texts if t.get_text().startswith(("W", "task-", "ValueError"))]
    assert len(cells) == 4
    for text, right in zip(sorted(cells, key=lambda t: t.get_position()[0]), edges,
                           strict=True):
        box = text.get_window_extent(renderer).transformed(fig.transFigure.inverted())
        assert box.x1 <= right, (text.get_text()[:20], box.x1, right)
