"""How a value reads in a picture: short enough for a node's label, with the whole value
kept for the side panel. Floats lose the noise of binary arithmetic (10988.936249999999
reads 10988.94) and a list of numbers reads as its first items, its length and its range
(``[0.91, 0.88, … 12 floats, min 0.12 max 0.91]``), which is what a reader compares."""

from __future__ import annotations

from typing import Any

NUMBERS_SHOWN = 2  # the first items of a summarized list of numbers
LIST_MIN = 4  # shorter lists are written out


def number(value: float | int) -> str:
    """A number at 7 significant digits (integers whole)."""
    if isinstance(value, int):  # bool too
        return str(value)
    if value != value or value in (float("inf"), float("-inf")):  # NaN and infinities
        return str(value)
    text = f"{value:.7g}"
    return text if "e" in text or "." in text else text + ".0"


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def numbers_summary(values: list[Any]) -> str | None:
    """``[a, b, … N floats, min x max y]`` for a list of numbers, else None."""
    if len(values) < LIST_MIN or not all(_is_number(v) for v in values):
        return None
    kind = "floats" if any(isinstance(v, float) for v in values) else "ints"
    head = ", ".join(number(v) for v in values[:NUMBERS_SHOWN])
    return (f"[{head}, … {len(values)} {kind}, min {number(min(values))} "
            f"max {number(max(values))}]")


def value_text(value: Any) -> str | None:
    """A value as a label writes it; None when it has no short form (a dict, a list of
    other things): the caller names its type and size instead."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None:
        return None if value is None else str(value)
    if _is_number(value):
        return number(value)
    if isinstance(value, list):
        return numbers_summary(value)
    return None


def panel_value(value: Any) -> Any:
    """A value for the side panel: whole (a float to its last digit), with a list of
    numbers summarized above it."""
    if isinstance(value, list) and numbers_summary(value):
        return {"summary": numbers_summary(value), "values": value}
    return value


__all__ = ["number", "numbers_summary", "panel_value", "value_text"]
