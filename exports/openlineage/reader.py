"""The OpenLineage client's file transport output: one run event per line (JSON).

Blank lines are skipped. Every event is checked (:mod:`exports.openlineage.validate`); the
first line that is not JSON or not a valid run event stops the read with one line naming
the file and line number.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from typing import IO, Any

import orjson

from exports.openlineage.validate import InvalidEvent, validate_event

Source = str | os.PathLike[str] | IO[bytes]


def parse_lines(lines: Iterable[bytes], name: str) -> Iterator[Mapping[str, Any]]:
    """The valid run events of ``lines``; InvalidEvent at the first bad one."""
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            event = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            raise InvalidEvent(f"{name}:{number}: not JSON ({exc})") from None
        try:
            yield validate_event(event)
        except InvalidEvent as exc:
            raise InvalidEvent(f"{name}:{number}: {exc}") from None


def read_events(source: Source, name: str | None = None) -> list[Mapping[str, Any]]:
    """Every event of a file (a path or a binary stream), read and checked whole."""
    if isinstance(source, (str, os.PathLike)):
        label = name or os.fspath(source)
        try:
            with open(source, "rb") as handle:
                return list(parse_lines(handle, label))
        except OSError as exc:
            raise InvalidEvent(f"{label}: cannot read ({exc.strerror})") from None
    return list(parse_lines(source, name or "<stream>"))
