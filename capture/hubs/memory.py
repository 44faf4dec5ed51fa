"""An in-process hub that keeps decoded messages in a list (unit tests, notebooks).

Messages arrive encoded like for every other hub, so what a test reads here is what a
keeper would read from Redis.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import orjson

from capture.hubs.base import Encoded, Hub, Message

if TYPE_CHECKING:
    from provgraph.core.config import Settings


class MemoryHub(Hub):
    kind = "memory"

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> MemoryHub:
        return cls()

    def emit(self, batch: list[Encoded]) -> None:
        decoded = [orjson.loads(m) for m in batch]
        with self._lock:
            self.messages.extend(decoded)

    def mark(self) -> int:
        return len(self.messages)

    def read_since(self, mark: int | None) -> list[Message]:
        with self._lock:
            return list(self.messages[mark or 0 :])

    def reset_after_fork(self) -> None:
        self._lock = threading.Lock()

    def clear(self) -> None:
        with self._lock:
            self.messages.clear()
