"""``instrumentation``: the decorators, loops and explicit tasks, which are always on."""

from __future__ import annotations

from capture.adapters.base import Adapter


class InstrumentationAdapter(Adapter):
    kind = "instrumentation"

    def start(self) -> None:
        """Nothing to start: decorated code records itself while a recorder is active."""

    def stop(self) -> None:
        """Nothing to drain: ``Flowcept.stop()`` flushes the buffer."""
