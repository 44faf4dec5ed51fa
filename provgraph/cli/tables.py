"""Readable plain-text tables and JSON for the commands' answers (no colour, no pager:
output that reads well in a terminal and pipes well into files)."""

from __future__ import annotations

import datetime as _dt
import sys
from collections.abc import Sequence
from typing import Any, TextIO

import orjson

MAX_CELL = 48


def cell(value: Any, width: int = MAX_CELL) -> str:
    """A value as one short line."""
    if value is None:
        text = ""
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, float):
        text = f"{value:.6g}"
    elif isinstance(value, (dict, list)):
        text = orjson.dumps(value, default=str).decode()
    else:
        text = str(value)
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def when(value: Any) -> str:
    """Epoch seconds as local-free UTC text (``2026-11-22 10:00:01``)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return cell(value)
    try:
        return _dt.datetime.fromtimestamp(value, tz=_dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
    except (OverflowError, OSError, ValueError):
        return cell(value)


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], out: TextIO | None = None
          ) -> None:
    """Columns padded to their widest cell; the header underlined."""
    out = out or sys.stdout
    texts = [[cell(v) for v in row] for row in rows]
    widths = [max([len(h), *(len(r[i]) for r in texts)]) for i, h in enumerate(headers)]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()
    out.write(line + "\n")
    out.write("  ".join("-" * w for w in widths) + "\n")
    for row in texts:
        out.write("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() + "\n")


def dump_json(value: Any, out: TextIO | None = None) -> None:
    (out or sys.stdout).write(orjson.dumps(value, default=str, option=orjson.OPT_INDENT_2
                                           | orjson.OPT_NON_STR_KEYS).decode() + "\n")


__all__ = ["cell", "dump_json", "table", "when"]
