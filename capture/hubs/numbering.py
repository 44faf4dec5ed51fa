"""A producer's numbering of the entries it sends, shared by the Redis hubs: a producer id,
a sequence from 1 without a hole, the messages sent, and its end said once
(:mod:`provgraph.core.wire`: batch ids, ``producer_end``). A forked child numbers as a
producer of its own."""

from __future__ import annotations

import itertools
import os
from typing import Any

from provgraph.core import wire


class Numbering:
    def __init__(self) -> None:
        self._start()

    def _start(self) -> None:
        self.producer = wire.new_producer_id()
        self._pid = os.getpid()
        self._seq = itertools.count(1)
        self.last_seq = 0
        self.sent_messages = 0  # in all numbered entries so far
        self.ended = False

    def forked(self) -> bool:
        """Whether this process is a fork of the one that numbered so far (then it starts
        numbering as a new producer)."""
        if self._pid == os.getpid():
            return False
        self._start()
        return True

    def next_id(self, messages: int) -> str:
        """The id of the next entry, which holds ``messages`` messages."""
        self.forked()
        self.last_seq = next(self._seq)
        self.sent_messages += messages
        return wire.batch_id(self.producer, self.last_seq)

    def end(self) -> dict[str, Any] | None:
        """The ``producer_end`` message, once, when this process numbered entries."""
        if not self.last_seq or self._pid != os.getpid() or self.ended:
            return None
        self.ended = True
        return wire.producer_end(self.producer, self.last_seq + 1, self.sent_messages)


__all__ = ["Numbering"]
