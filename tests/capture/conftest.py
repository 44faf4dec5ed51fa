"""Capture tests run against the file hub in a private data dir (no server)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from capture import Flowcept
from provgraph.core.config import Settings


@pytest.fixture(autouse=True)
def _isolated(settings: Settings) -> Iterator[None]:
    yield


def tasks(messages: list[dict[str, Any]], **match: Any) -> list[dict[str, Any]]:
    """The task messages whose fields equal ``match``."""
    return [
        m for m in messages
        if m.get("type") == "task" and all(m.get(k) == v for k, v in match.items())
    ]


def read_all() -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = Flowcept.read_buffer_file()
    return messages
