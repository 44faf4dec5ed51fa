"""The keeper: read a batch from the hub, map it to PROV, write it in one transaction,
then acknowledge it.

- A delivery that cannot be decoded, and a message that cannot be mapped, go to the
  source's dead-letter place with the reason; the good messages around them are stored.
- A batch the store rejects (not a transient error) is split in halves until what it
  rejects is one message: that message goes to the dead letters, every other is stored.
- Store down, or hub down (while reading, writing a dead letter, confirming a flush
  marker or acknowledging): retry with backoff until it is back, however long that takes
  (or until the keeper is asked to stop: then nothing is acknowledged and the next keeper
  gets the entries again). A write is idempotent, so acknowledging late is safe. The
  keeper never exits on an outage.
- Every message is stored exactly once: delivery is at-least-once and writes are
  idempotent MERGEs.
- ``control`` messages with ``event = "flush"`` are confirmed once everything before
  them is stored (``Flowcept(check_safe_stops=True)``).
- Every numbered batch is recorded in the ledger (:mod:`keeper.ledger`) after its write
  committed and before it is acknowledged, so ``provgraph verify`` can prove what was
  stored and name what was not.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

from keeper.ledger import Ledger, open_ledger, records_of
from keeper.sources.base import Delivery, Source
from keeper.stores.base import Store
from prov_model import map_batch
from provgraph.core import wire
from provgraph.core.config import Settings
from provgraph.core.errors import (
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
    hub_retries: int = 0
    # What the keeper waits for right now, in words (an outage, a backlog it cannot read
    # yet), or None: shown on the progress line of ``keeper run``.
    waiting_for: str | None = None
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


class _Outage:
    """One dependency being down: logged once when it goes, once when it is back."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.since: float | None = None

    def down(self, what: str, exc: Exception) -> None:
        if self.since is None:
            self.since = time.monotonic()
            log.warning("%s unavailable while %s (%s); retrying with backoff until it is back",
                        self.name, what, exc)
        else:
            log.debug("%s still unavailable while %s (%s)", self.name, what, exc)

    def up(self) -> None:
        if self.since is not None:
            log.warning("%s is back after %.1fs", self.name, time.monotonic() - self.since)
            self.since = None

    def describe(self) -> str | None:
        if self.since is None:
            return None
        return f"the {self.name} (unavailable for {time.monotonic() - self.since:.0f}s)"


class Keeper:
    def __init__(self, source: Source, store: Store, settings: Settings,
                 ledger: Ledger | None = None) -> None:
        self.source = source
        self.store = store
        self.settings = settings
        self.ledger = ledger if ledger is not None else open_ledger(settings, store)
        self.stats = KeeperStats()
        self.stop_event = threading.Event()
        self._hub = _Outage("hub")
        self._store = _Outage("store")
        self._read_delay = settings.keeper.retry_initial_s
        self._progress: ProgressCallback | None = None
        self._next_report = 0.0

    # --- one step --------------------------------------------------------------------------

    def step(self, block_ms: int | None = None) -> int | None:
        """Read, store and acknowledge one batch of deliveries; returns how many were read,
        or ``None`` when the hub could not be read (it is down: the step waited a backoff)."""
        cfg = self.settings.keeper
        try:
            deliveries = self.source.read(cfg.read_count, cfg.block_ms if block_ms is None
                                          else block_ms)
        except HubUnavailableError as exc:
            self.stats.hub_retries += 1
            self._hub.down("reading", exc)
            self._report()
            self.stop_event.wait(self._read_delay)
            self._read_delay = min(self._read_delay * 2, cfg.retry_max_s)
            return None
        self._read_delay = cfg.retry_initial_s
        self._hub.up()
        if deliveries:
            self._handle(deliveries)
        return len(deliveries)

    def _handle(self, deliveries: list[Delivery]) -> None:
        letters: list[tuple[bytes, str, str]] = []  # (payload, reason, origin)
        messages: list[Any] = []
        origins: list[str] = []
        for delivery in deliveries:
            if delivery.messages is None:
                letters.append((delivery.payload, delivery.error or "undecodable",
                                delivery.origin))
                continue
            count = len(delivery.messages)
            for position, message in enumerate(delivery.messages, 1):
                messages.append(message)
                origins.append(delivery.origin if count == 1
                               else f"{delivery.origin} message {position} of {count}")
        bad: set[int] = set()

        def unmappable(index: int, message: Any, error: MappingError) -> None:
            bad.add(index)
            letters.append((_encode(message), str(error), origins[index]))

        delta = map_batch(messages, self.settings.entities, on_error=unmappable)
        try:
            if delta and not self._write(delta):
                return  # asked to stop while the store was down: acknowledge nothing
        except StoreError as exc:  # not transient: find the message the store rejects
            log.warning("the store rejected a batch of %s messages (%s); splitting it",
                        len(messages) - len(bad), exc)
            units = [i for i in range(len(messages)) if i not in bad]
            if not self._write_split(units, messages, origins, letters):
                return
        for payload, reason, origin in letters:
            if not self._on_hub("writing a dead letter",
                                functools.partial(self.source.dead_letter, payload, reason,
                                                  origin)):
                return
            log.warning("dead letter from %s: %s", origin, reason)
            self.stats.dead_letters += 1
        for message in messages:
            marker = wire.marker_of(message)
            if marker is not None and not self._on_hub(
                    "confirming a flush marker", functools.partial(self.source.confirm, marker)):
                return
        records = records_of(deliveries, letters)
        if records and not self._retrying(
                self._store, "recording the ledger", functools.partial(self.ledger.record, records),
                StoreUnavailableError, "store_retries"):
            return
        if not self._on_hub("acknowledging", functools.partial(self.source.ack, deliveries)):
            return  # not acknowledged: delivered again and stored again (idempotent)
        self.stats.observe(messages)
        self.stats.deliveries += len(deliveries)
        self.stats.messages += sum(1 for m in messages if not wire.is_control(m))

    def _write_split(self, units: list[int], messages: list[Any], origins: list[str],
                     letters: list[tuple[bytes, str, str]]) -> bool:
        """Write halves of ``units`` (indexes into ``messages``) until what the store
        rejects is one message: that one joins ``letters``. False when asked to stop."""
        if len(units) == 1:
            index = units[0]
            try:
                delta = map_batch([messages[index]], self.settings.entities)
                return not delta or self._write(delta)
            except StoreError as exc:
                letters.append((_encode(messages[index]), f"the store rejected it: {exc}",
                                origins[index]))
                return True
        half = len(units) // 2
        for part in (units[:half], units[half:]):
            if not part:
                continue
            try:
                delta = map_batch([messages[i] for i in part], self.settings.entities)
                if delta and not self._write(delta):
                    return False
            except StoreError:
                if not self._write_split(part, messages, origins, letters):
                    return False
        return True

    def _write(self, delta: Any) -> bool:
        if not self._retrying(self._store, "writing", functools.partial(self.store.write, delta),
                              StoreUnavailableError, "store_retries"):
            return False
        self.stats.writes += 1
        return True

    def _on_hub(self, what: str, call: Callable[[], None]) -> bool:
        return self._retrying(self._hub, what, call, HubUnavailableError, "hub_retries")

    def _retrying(self, outage: _Outage, what: str, call: Callable[[], None],
                  unavailable: type[Exception], counter: str) -> bool:
        """Run ``call`` until it succeeds, backing off while it raises ``unavailable`` (its
        server is down), each retry counted in ``stats.<counter>``. False when asked to
        stop meanwhile."""
        cfg = self.settings.keeper
        delay = cfg.retry_initial_s
        while True:
            try:
                call()
            except unavailable as exc:
                setattr(self.stats, counter, getattr(self.stats, counter) + 1)
                outage.down(what, exc)
                self._report()
                if self.stop_event.wait(delay):
                    return False
                delay = min(delay * 2, cfg.retry_max_s)
                continue
            outage.up()
            return True

    # --- loops -------------------------------------------------------------------------------

    def backlog(self) -> tuple[int | None, bool]:
        """(what waits in the hub, or None when the source cannot tell; whether the hub
        answered)."""
        try:
            return self.source.backlog(), True
        except HubUnavailableError as exc:
            self._hub.down("measuring the backlog", exc)
            return None, False

    def _report(self, backlog: int | None = None, force: bool = False) -> None:
        """Call the progress callback (at most every ``progress_interval_s`` unless forced),
        with what the keeper is waiting for."""
        if self._progress is None:
            return
        now = time.monotonic()
        if not force and now < self._next_report:
            return
        self._next_report = now + self.settings.keeper.progress_interval_s
        outage = self._hub.describe() or self._store.describe()
        if outage is not None:
            self.stats.waiting_for = outage
        self._progress(self.stats, backlog)

    def run(
        self, until_idle: bool = False, progress: ProgressCallback | None = None
    ) -> KeeperStats:
        """Consume until ``stop()`` (or, with ``until_idle``, until a read finds nothing
        and the source says nothing is left: no unread entries, none pending)."""
        self._progress = progress
        self._next_report = time.monotonic()
        while not self.stop_event.is_set():
            read = self.step()
            idle_read = read == 0
            if not idle_read and (progress is None or time.monotonic() < self._next_report):
                continue
            backlog, answered = self.backlog()
            self.stats.waiting_for = None
            if idle_read and answered and backlog:
                self.stats.waiting_for = self.source.waiting_for()
            if until_idle and idle_read and answered and not backlog:
                break  # nothing new, and nothing pending (e.g. entries of a dead keeper)
            self._report(backlog)
        if progress is not None:
            self.stats.waiting_for = None
            self._report(self.backlog()[0], force=True)
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
