"""A flowing A4 layout on matplotlib's PDF backend: headings, paragraphs, key-value lists,
tables and plots placed top to bottom, a new page when one is full.

matplotlib is the one plotting dependency (``pip install 'provgraph[report]'``).
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from provgraph.core.errors import ReportDependencyMissing

PAGE = (8.27, 11.69)  # A4 portrait, inches
LEFT, RIGHT, TOP, BOTTOM = 0.07, 0.93, 0.94, 0.06
INK = "#1f2933"
MUTED = "#6b7785"
ACCENT = "#2f5d8a"
RULE = "#c9d2dc"
STRIPE = "#f2f5f8"
FONT = 8.5
LINE = 0.0165  # one text line, in figure fraction


def pyplot() -> Any:
    try:
        import matplotlib

        matplotlib.use("Agg", force=True)
        import matplotlib.pyplot as plt
    except ModuleNotFoundError as exc:
        raise ReportDependencyMissing(
            "the provenance report (PDF) needs matplotlib: pip install 'provgraph[report]'"
        ) from exc
    return plt


class Sheet:
    """Pages written one after the other into one PDF file."""

    def __init__(self, path: Path, title: str, footer: str) -> None:
        self.plt = pyplot()
        from matplotlib.backends.backend_pdf import PdfPages

        self.pdf = PdfPages(str(path), metadata={"Title": title, "Creator": footer})
        self.title = title
        self.footer = footer
        self.pages = 0
        self.fig: Any = None
        self.y = TOP
        self.new_page()

    # --- pages ---------------------------------------------------------------------------

    def new_page(self) -> None:
        if self.fig is not None:
            self._finish_page()
        self.fig = self.plt.figure(figsize=PAGE)
        self.pages += 1
        self.fig.text(LEFT, 0.972, self.title, fontsize=8, color=MUTED, va="center")
        self.fig.lines.append(self.plt.Line2D([LEFT, RIGHT], [0.962, 0.962], color=RULE,
                                              lw=0.6, transform=self.fig.transFigure))
        self.y = TOP

    def _finish_page(self) -> None:
        self.fig.text(LEFT, 0.03, self.footer, fontsize=7, color=MUTED)
        self.fig.text(RIGHT, 0.03, f"page {self.pages}", fontsize=7, color=MUTED, ha="right")
        self.pdf.savefig(self.fig)
        self.plt.close(self.fig)

    def close(self) -> None:
        self._finish_page()
        self.fig = None
        self.pdf.close()

    def need(self, height: float) -> None:
        """Start a new page unless ``height`` (figure fraction) still fits on this one."""
        if self.y - height < BOTTOM and self.y < TOP:
            self.new_page()

    # --- text ----------------------------------------------------------------------------

    def heading(self, text: str, size: float = 13, keep: float = LINE * 3) -> None:
        """A section title, kept on one page with the first ``keep`` of what follows."""
        self.need(LINE * 2.5 + keep)
        self.y -= LINE * 0.6
        self.fig.text(LEFT, self.y, text, fontsize=size, weight="bold", color=ACCENT,
                      va="top")
        self.y -= LINE * (size / FONT) + LINE * 0.4

    def title_block(self, title: str, subtitle: str) -> None:
        self.fig.text(LEFT, self.y, title, fontsize=18, weight="bold", color=INK, va="top")
        self.y -= LINE * 2.2
        self.fig.text(LEFT, self.y, subtitle, fontsize=9, color=MUTED, va="top")
        self.y -= LINE * 1.8

    def para(self, text: str, color: str = INK, width: int = 110, size: float = FONT) -> None:
        for line in textwrap.wrap(text, width) or [""]:
            self.need(LINE)
            self.fig.text(LEFT, self.y, line, fontsize=size, color=color, va="top")
            self.y -= LINE
        self.y -= LINE * 0.3

    def pairs(self, items: Sequence[tuple[str, str]], key_width: float = 0.2) -> None:
        for key, value in items:
            lines = textwrap.wrap(value, 88) or ["-"]
            self.need(LINE * len(lines))
            self.fig.text(LEFT, self.y, key, fontsize=FONT, weight="bold", color=INK, va="top")
            for line in lines:
                self.fig.text(LEFT + key_width, self.y, line, fontsize=FONT, color=INK,
                              va="top")
                self.y -= LINE
        self.y -= LINE * 0.3

    # --- tables and plots ---------------------------------------------------------------

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[str]],
              widths: Sequence[float], limit: int = 40) -> None:
        """Rows under a header, split over pages; ``widths`` are fractions of the text width."""
        row_h = LINE * 1.25
        shown = list(rows[:limit])
        start = 0
        while True:
            self.need(row_h * 3)
            fits = max(1, int((self.y - BOTTOM) / row_h) - 1)
            chunk = shown[start:start + fits]
            self._table_part(headers, chunk, widths, row_h)
            start += len(chunk)
            if start >= len(shown):
                break
            self.new_page()
        if len(rows) > limit:
            self.para(f"… and {len(rows) - limit} more rows.", color=MUTED)
        self.y -= LINE * 0.4

    def _table_part(self, headers: Sequence[str], rows: Sequence[Sequence[str]],
                    widths: Sequence[float], row_h: float) -> None:
        span = RIGHT - LEFT
        xs = [LEFT]
        for w in widths[:-1]:
            xs.append(xs[-1] + w * span)
        chars = [max(4, int(w * span * PAGE[0] * 72 / (FONT * 0.55))) for w in widths]
        for x, head, limit in zip(xs, headers, chars, strict=False):
            self.fig.text(x + 0.004, self.y - row_h * 0.5, _fit(head, limit), fontsize=FONT,
                          weight="bold", color=INK, va="center")
        self._rule(self.y - row_h)
        self.y -= row_h
        for index, row in enumerate(rows):
            if index % 2:
                self.fig.patches.append(self.plt.Rectangle(
                    (LEFT, self.y - row_h), span, row_h, color=STRIPE, lw=0,
                    transform=self.fig.transFigure, zorder=-1))
            ends = [*xs[1:], RIGHT]
            for x, end, value, limit in zip(xs, ends, row, chars, strict=False):
                cell = self.fig.text(x + 0.004, self.y - row_h * 0.5, _fit(value, limit),
                                     fontsize=FONT - 0.5, color=INK, va="center")
                self._clip(cell, end - 0.006)
            self.y -= row_h
        self._rule(self.y)

    def _clip(self, cell: Any, right: float) -> None:
        """Shorten ``cell`` until it ends before ``right`` (figure fraction): the character
        estimate of :func:`_fit` holds for usual text, this for any (``WWW...``)."""
        renderer = self.fig.canvas.get_renderer()
        inverse = self.fig.transFigure.inverted()
        text = cell.get_text()
        for _ in range(8):
            box = cell.get_window_extent(renderer).transformed(inverse)
            if box.x1 <= right or len(text) <= 2:
                return
            keep = max(1, int(len(text) * (right - box.x0) / max(box.x1 - box.x0, 1e-9)) - 2)
            text = text[:keep].rstrip("…") + "…"
            cell.set_text(text)

    def _rule(self, y: float) -> None:
        self.fig.lines.append(self.plt.Line2D([LEFT, RIGHT], [y, y], color=RULE, lw=0.6,
                                              transform=self.fig.transFigure))

    def axes(self, height: float, left_pad: float = 0.08) -> Any:
        """An axes ``height`` (figure fraction) tall at the cursor, across the text width."""
        self.need(height + LINE * 2)
        bottom = self.y - height
        ax = self.fig.add_axes((LEFT + left_pad, bottom + LINE * 1.6,
                                RIGHT - LEFT - left_pad, height - LINE * 2.2))
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        ax.tick_params(labelsize=7, colors=INK)
        self.y = bottom - LINE * 0.8
        return ax


def _fit(value: str, limit: int) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: max(1, limit - 1)] + "…"
