"""OpenLineage run events into provgraph through the configured hub (as captured messages go).

    from provgraph.ingest import ingest_openlineage
    ingest_openlineage([event, ...])                 # settings: the process's own
    with OpenLineageIngest(settings) as ingest:      # a long-lived sender (a server)
        ingest.send(events)

Every event is checked first (the OpenLineage spec as ``openlineage-python`` holds it): one
that is not a valid run event raises :class:`~exports.openlineage.validate.InvalidEvent`
with the first problem in one line (``event 3: run: ...``), and nothing of the call is
sent. Valid events travel as ``openlineage`` wire messages in one hub batch, so a keeper
stores them exactly once (at-least-once delivery, idempotent writes), merged with the
other events of their runs in any order. The HTTP endpoint of ``provgraph serve`` calls
this for each request.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Mapping
from types import TracebackType
from typing import Any

import orjson

from capture.hubs.base import Hub, create_hub
from exports.openlineage.validate import InvalidEvent, validate_event
from provgraph.core import wire
from provgraph.core.config import Settings, get_settings

log = logging.getLogger(__name__)

__all__ = ["InvalidEvent", "OpenLineageIngest", "check_events", "ingest_openlineage"]


def check_events(events: Iterable[Any]) -> list[Mapping[str, Any]]:
    """The events, each checked; InvalidEvent naming the first bad one (``event N: ...``)."""
    checked: list[Mapping[str, Any]] = []
    for index, event in enumerate(events):
        try:
            checked.append(validate_event(event))
        except InvalidEvent as exc:
            raise InvalidEvent(f"event {index}: {exc}") from None
    return checked


class OpenLineageIngest:
    """Sends checked events to the hub of ``settings``; one hub for its life (thread-safe)."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()
        self._hub: Hub = create_hub(self.settings)
        self._lock = threading.Lock()  # a hub's emit is called by one thread at a time

    def send(self, events: Iterable[Any]) -> int:
        """Check every event, then emit them as one batch; returns how many were sent."""
        checked = check_events(events)
        if not checked:
            return 0
        batch = [orjson.dumps(wire.openlineage_message(e)) for e in checked]
        with self._lock:
            self._hub.emit(batch)
        log.debug("sent %d OpenLineage events to the %s hub", len(batch), self._hub.kind)
        return len(batch)

    def close(self) -> None:
        with self._lock:
            self._hub.close()

    def __enter__(self) -> OpenLineageIngest:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def ingest_openlineage(events: Iterable[Any], settings: Settings | None = None) -> int:
    """Check ``events`` and send them through the configured hub (see the module docstring);
    returns how many were sent. A server keeps one :class:`OpenLineageIngest` instead."""
    with OpenLineageIngest(settings) as ingest:
        return ingest.send(events)
