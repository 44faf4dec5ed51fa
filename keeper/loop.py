"""The keeper: read a batch from the hub, map it to PROV, write it in one transaction,
then acknowledge it.

- A delivery that cannot be decoded, and a message that cannot be mapped, go to the
  source's dead-letter place with the reason; the good messages around them are stored.
- Store down: retry the same write with backoff, acknowledging nothing, until it is back
  (or the keeper is asked to stop: then nothing is acknowledged and the next keeper gets
  the entries again).
- Every message is stored exactly once: delivery is at-least-once and writes are
  idempotent MERGEs.
- ``control`` messages with ``event = "flush"`` are confirmed once everything before
  them is stored (``Flowcept(check_safe_stops=True)``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

from keeper.sources.base import Delivery, Source
from keeper.stores.base import Store
from prov_model import map_batch
from provgraph import wire
from provgraph.config import Settings
from provgraph.errors import (
    HubUnavailableError,
    MappingError,
    StoreError,
    StoreUnavailableError,
)

log = logging.getLogger(__name__)

LATENCY_SAMPLES = 10_000


@dataclass
class KeeperStats:
    messages: int = 0  # messages stored (control messages excluded)
    deliveries: int = 0
    dead_letters: int = 0
    writes: int = 0
    store_retries: int = 0
    started: float = field(default_factory=time.monotonic)
    # seconds from a task's end (its ``ended_at``) to its write being committed
    latencies: deque[float] = field(default_factory=lambda: deque(maxlen=LATENCY_SAMPLES))

    def rate(self) -> float:
        elapsed = time.monotonic() - self.started
        return self.messages / elapsed if elapsed > 0 else 0.0

    def latency(self, quantile: float) -> float | None:
        """A quantile (0..1) of the recent end-to-store latencies, in seconds."""
        if not self.latencies:
            return None
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(quantile * len(ordered)))]

    def observe(self, messages: list[Any]) -> None:
        now = time.time()
        for message in messages:
            ended = message.get("ended_at") if isinstance(message, dict) else None
            if isinstance(ended, int | float):
                self.latencies.append(now - ended)


ProgressCallback = Callable[[KeeperStats, int | None], None]


class Keeper:
    def __init__(self, source: Source, store: Store, settings: Settings) -> None:
        self.source = source
        self.store = store
        self.settings = settings
        self.stats = KeeperStats()
        self.stop_event = threading.Event()

    # --- one step --------------------------------------------------------------------------

    def step(self, block_ms: int | None = None) -> int:
        """Read, store and acknowledge one batch of deliveries; returns how many were read."""
        cfg = self.settings.keeper
        try:
            deliveries = self.source.read(cfg.read_count, cfg.block_ms if block_ms is None
                                          else block_ms)
        except HubUnavailableError as exc:
            log.warning("hub unavailable (%s); retrying", exc)
            self.stop_event.wait(cfg.retry_initial_s)
            return 0
        if deliveries:
            self._handle(deliveries)
        return len(deliveries)

    def _handle(self, deliveries: list[Delivery]) -> None:
        readable = []
        for delivery in deliveries:
            if delivery.messages is None:
                self._dead_letter(delivery.payload, delivery.error or "undecodable",
                                  delivery.origin)
            else:
                readable.append(delivery)
        messages = [m for d in readable for m in d.messages or []]
        origins = [d for d in readable for _ in d.messages or []]
        bad: set[int] = set()

        def unmappable(index: int, message: Any, error: MappingError) -> None:
            bad.add(index)
            self._dead_letter(_encode(message), str(error), origins[index].origin)

        delta = map_batch(messages, self.settings.entities, on_error=unmappable)
        try:
            if delta and not self._write(delta):
                return  # asked to stop while the store was down: acknowledge nothing
        except StoreError as exc:  # not transient: find the delivery the store rejects
            log.warning("the store rejected a batch of %s deliveries (%s); splitting it",
                        len(readable), exc)
            groups = [[m for i, m in enumerate(messages) if i not in bad and origins[i] is d]
                      for d in readable]
            if not self._write_split(readable, groups):
                return
        for message in messages:
            marker = wire.marker_of(message)
            if marker is not None:
                self.source.confirm(marker)
        self.source.ack(deliveries)
        self.stats.observe(messages)
        self.stats.deliveries += len(deliveries)
        self.stats.messages += sum(1 for m in messages if not wire.is_control(m))

    def _write_split(self, deliveries: list[Delivery], groups: list[list[Any]]) -> bool:
        """Write halves until what the store rejects is one delivery: that one goes to the
        dead letters. False when asked to stop meanwhile."""
        if len(deliveries) == 1:
            try:
                delta = map_batch(groups[0], self.settings.entities)
                return not delta or self._write(delta)
            except StoreError as exc:
                self._dead_letter(deliveries[0].payload, f"the store rejected it: {exc}",
                                  deliveries[0].origin)
                return True
        half = len(deliveries) // 2
        for part, part_groups in ((deliveries[:half], groups[:half]),
                                  (deliveries[half:], groups[half:])):
            try:
                delta = map_batch([m for g in part_groups for m in g], self.settings.entities)
                if delta and not self._write(delta):
                    return False
            except StoreError:
                if not self._write_split(part, part_groups):
                    return False
        return True

    def _write(self, delta: Any) -> bool:
        cfg = self.settings.keeper
        delay = cfg.retry_initial_s
        while True:
            try:
                self.store.write(delta)
                self.stats.writes += 1
                return True
            except StoreUnavailableError as exc:
                self.stats.store_retries += 1
                log.warning("store unavailable (%s); retrying in %.1fs", exc, delay)
                if self.stop_event.wait(delay):
                    return False
                delay = min(delay * 2, cfg.retry_max_s)

    def _dead_letter(self, payload: bytes, reason: str, origin: str) -> None:
        log.warning("dead letter from %s: %s", origin, reason)
        self.source.dead_letter(payload, reason, origin)
        self.stats.dead_letters += 1

    # --- loops -------------------------------------------------------------------------------

    def run(
        self, until_idle: bool = False, progress: ProgressCallback | None = None
    ) -> KeeperStats:
        """Consume until ``stop()`` (or, with ``until_idle``, until a read finds nothing)."""
        next_report = time.monotonic()
        interval = self.settings.keeper.progress_interval_s
        while not self.stop_event.is_set():
            read = self.step()
            if progress is not None and time.monotonic() >= next_report:
                progress(self.stats, self.source.backlog())
                next_report = time.monotonic() + interval
            if until_idle and read == 0 and not self.source.backlog():
                break  # nothing new, and nothing pending (e.g. entries of a dead keeper)
        if progress is not None:
            progress(self.stats, self.source.backlog())
        return self.stats

    def stop(self) -> None:
        """Finish the batch in hand, then leave ``run`` (SIGTERM does this)."""
        self.stop_event.set()
        self.source.interrupt()


def _encode(message: Any) -> bytes:
    try:
        return orjson.dumps(message, option=orjson.OPT_NON_STR_KEYS)
    except TypeError:
        return repr(message).encode()
