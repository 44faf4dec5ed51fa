"""Readable plain-text tables and JSON for the commands' answers (no colour, no pager:
output that reads well in a terminal and pipes well into files)."""

from __future__ import annotations

import datetime as _dt
import shutil
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


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """``1 workflow``, ``2 workflows``, ``1 dependency``, ``3 dependencies``."""
    if count == 1:
        return f"1 {singular}"
    if plural_form is None:
        plural_form = singular[:-1] + "ies" if singular.endswith("y") and \
            singular[-2:-1] not in "aeiou" else singular + "s"
    return f"{count} {plural_form}"


def article(word: str) -> str:
    """``an Activity``, ``a Task``."""
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


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
    limit = _terminal_columns(out)
    if limit:
        widths = fit(widths, [len(h) for h in headers], limit)
        texts = [[v if len(v) <= w else v[: w - 1] + "…" for v, w in zip(row, widths,
                                                                        strict=True)]
                 for row in texts]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()
    out.write(line + "\n")
    out.write("  ".join("-" * w for w in widths) + "\n")
    for row in texts:
        out.write("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() + "\n")


def _terminal_columns(out: TextIO) -> int | None:
    """The terminal's width when ``out`` is one (pipes and files get whole cells)."""
    try:
        if not out.isatty():
            return None
    except (AttributeError, ValueError):
        return None
    return shutil.get_terminal_size().columns


def fit(widths: list[int], minimums: list[int], limit: int) -> list[int]:
    """Column widths that fit ``limit`` characters (two between columns): the widest column
    gives way first, none below its header or 8 characters."""
    widths = list(widths)
    floor = [max(m, min(w, 8)) for w, m in zip(widths, minimums, strict=True)]
    excess = sum(widths) + 2 * (len(widths) - 1) - limit
    while excess > 0:
        shrinkable = [i for i, w in enumerate(widths) if w > floor[i]]
        if not shrinkable:
            break
        widest = max(shrinkable, key=lambda i: widths[i])
        widths[widest] -= 1
        excess -= 1
    return widths


def dump_json(value: Any, out: TextIO | None = None) -> None:
    (out or sys.stdout).write(orjson.dumps(value, default=str, option=orjson.OPT_INDENT_2
                                           | orjson.OPT_NON_STR_KEYS).decode() + "\n")


__all__ = ["article", "cell", "dump_json", "fit", "plural", "table", "when"]
