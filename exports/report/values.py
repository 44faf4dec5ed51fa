"""Small value helpers the reports share: statistics, safe lookups, short text, units."""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson


@dataclass(frozen=True)
class Stats:
    n: int
    total: float
    mean: float
    median: float
    p95: float
    min: float
    max: float


def stats(values: Iterable[float]) -> Stats | None:
    ordered = sorted(v for v in values if math.isfinite(v))
    if not ordered:
        return None
    p95 = ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]
    return Stats(len(ordered), math.fsum(ordered), statistics.fmean(ordered),
                 statistics.median(ordered), p95, ordered[0], ordered[-1])


def number(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


def number_at(value: Any, paths: Sequence[Sequence[str]]) -> float | None:
    """The first number found at one of ``paths`` in nested dicts."""
    for path in paths:
        node: Any = value
        for part in path:
            node = node.get(part) if isinstance(node, Mapping) else None
        found = number(node)
        if found is not None:
            return found
    return None


def text(value: Any) -> str | None:
    """A non-empty string, or ``None``."""
    return value if isinstance(value, str) and value else None


def duration(task: Mapping[str, Any]) -> float | None:
    start, end = number(task.get("started_at")), number(task.get("ended_at"))
    if start is None or end is None or end < start:
        return None
    return end - start


def short(value: Any, limit: int = 48) -> str:
    """A value as one short line of text (JSON for structures)."""
    if isinstance(value, str):
        out = value
    else:
        try:
            out = orjson.dumps(value, default=repr, option=orjson.OPT_NON_STR_KEYS).decode()
        except TypeError:
            out = repr(value)
    out = " ".join(out.split())
    return out if len(out) <= limit else out[: limit - 1] + "…"


def json_size(value: Any) -> int:
    try:
        return len(orjson.dumps(value, default=repr, option=orjson.OPT_NON_STR_KEYS))
    except TypeError:
        return len(repr(value))


def type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, Mapping):
        return "object"
    if isinstance(value, list | tuple):
        return "array"
    return type(value).__name__


def when(ts: float | None) -> str:
    """A timestamp as UTC text."""
    if ts is None:
        return "-"
    try:
        return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    except (OverflowError, OSError, ValueError):
        return "-"


def seconds(value: float | None) -> str:
    if value is None:
        return "-"
    if value < 1e-3:
        return f"{value * 1e6:.0f} µs"
    if value < 1:
        return f"{value * 1e3:.1f} ms"
    if value < 120:
        return f"{value:.2f} s"
    minutes, secs = divmod(value, 60)
    if minutes < 120:
        return f"{int(minutes)} min {secs:.0f} s"
    hours, minutes = divmod(minutes, 60)
    return f"{int(hours)} h {int(minutes)} min"


def offset(ts: float | None, origin: float | None) -> str:
    """``ts`` as time after ``origin`` (``+1.20 s``)."""
    if ts is None or origin is None:
        return "-"
    delta = ts - origin
    return f"+{seconds(delta)}" if delta >= 0 else f"-{seconds(-delta)}"


def size(value: float | None) -> str:
    if value is None:
        return "-"
    amount = float(value)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if amount < 1024 or unit == "TiB":
            return f"{int(amount)} {unit}" if unit == "B" else f"{amount:.1f} {unit}"
        amount /= 1024
    return f"{amount:.1f} TiB"


def percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}%"
