"""The keeper's ledger: per producer, which numbered batches it stored, and what
``provgraph verify`` concludes from it.

Every stream entry carries ``<producer>.<sequence>`` (:mod:`provgraph.core.wire`). After a
batch's write has committed and before it is acknowledged, the keeper records it: its
producer and sequence, how many messages it held, how many went to the dead letters,
the workflows and campaigns it touched (to answer per workflow or campaign), and for a
producer's last entry (``producer_end``) how far the producer counted. A batch redelivered
(a keeper died before acknowledging it) is recorded again as a suppressed duplicate. So a
recorded batch is a stored batch, and a number missing between 1 and the last one is a
batch that never reached a keeper.

Where the ledger lives: in Neo4j beside the graph (``:ProvgraphBatch`` nodes, shared by
all keepers) when the store has a ``ledger()``; otherwise a SQLite file under the keeper
directory (one writer, as the embedded store).
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import orjson

from keeper.sources.base import Delivery
from provgraph.core import wire

if TYPE_CHECKING:
    from keeper.stores.base import Store
    from provgraph.core.config import Settings


@dataclass(frozen=True, slots=True)
class BatchRecord:
    """One stored stream entry, as the ledger keeps it."""

    producer: str
    seq: int
    messages: int
    dead_letters: int = 0
    workflows: tuple[str, ...] = ()
    campaigns: tuple[str, ...] = ()
    last_seq: int = 0  # set on a producer's ``producer_end`` entry
    sent_messages: int = 0  # ditto: messages in the producer's entries before it
    deliveries: int = 1  # read back from the ledger: >1 means duplicates suppressed

    @property
    def id(self) -> str:
        return wire.batch_id(self.producer, self.seq)


class Ledger(Protocol):
    def record(self, records: list[BatchRecord]) -> None:
        """Add ``records`` (a batch recorded again counts one more delivery)."""

    def batches(self, producers: list[str] | None = None) -> list[BatchRecord]:
        """The recorded batches (of ``producers``; ``None``: all)."""

    def producers(self, workflow: str | None = None, campaign: str | None = None
                  ) -> list[str]:
        """The producers that sent anything of ``workflow`` / ``campaign`` (or any)."""

    def close(self) -> None: ...


def records_of(deliveries: list[Delivery], letters: list[tuple[bytes, str, str]]
               ) -> list[BatchRecord]:
    """The ledger records of stored deliveries (those with a numbered batch id), with
    the dead letters written for each (``letters``: payload, reason, origin)."""
    records = []
    for delivery in deliveries:
        parsed = wire.parse_batch_id(str(delivery.extra.get("batch_id", "")))
        if parsed is None:
            continue  # not a numbered entry (an older producer, a hand-written entry)
        dead = sum(1 for _, _, origin in letters
                   if origin == delivery.origin or origin.startswith(delivery.origin + " "))
        messages = delivery.messages or []
        workflows = {m.get("workflow_id") for m in messages if isinstance(m, dict)}
        campaigns = {m.get("campaign_id") for m in messages if isinstance(m, dict)}
        last_seq = sent = 0
        for message in messages:
            if wire.is_control(message) and message.get("event") == wire.PRODUCER_END:
                last_seq = int(message.get("last_seq") or 0)
                sent = int(message.get("messages") or 0)
        records.append(BatchRecord(
            parsed[0], parsed[1], len(messages) if delivery.messages is not None else 0,
            dead if delivery.messages is not None else max(dead, 1),
            tuple(sorted(w for w in workflows if isinstance(w, str))),
            tuple(sorted(c for c in campaigns if isinstance(c, str))), last_seq, sent))
    return records


def open_ledger(settings: Settings, store: Store) -> Ledger:
    """The store's own ledger (Neo4j), else a SQLite ledger under the keeper directory."""
    own = getattr(store, "ledger", None)
    if callable(own):
        ledger: Ledger = own()
        return ledger
    return SqliteLedger(Path(settings.keeper_dir) / "ledger.sqlite")


# --- the answer --------------------------------------------------------------------------


@dataclass
class ProducerReport:
    producer: str
    stored: int = 0  # batches
    last: int = 0  # the highest number expected (seen, or announced by producer_end)
    ended: bool = False  # the producer said how far it counted
    messages: int = 0  # messages stored
    expected_messages: int | None = None  # known when the producer ended
    dead_letters: int = 0
    duplicates: int = 0
    gaps: list[tuple[int, int]] = field(default_factory=list)

    def missing(self) -> int:
        return sum(b - a + 1 for a, b in self.gaps)


@dataclass
class Completeness:
    producers: list[ProducerReport]

    @property
    def complete(self) -> bool:
        return all(not p.gaps for p in self.producers)

    def totals(self) -> dict[str, int]:
        return {
            "producers": len(self.producers),
            "batches": sum(p.last for p in self.producers),
            "batches_stored": sum(p.stored for p in self.producers),
            "messages_stored": sum(p.messages for p in self.producers),
            "messages_expected": sum(p.expected_messages if p.expected_messages is not None
                                     else p.messages for p in self.producers),
            "dead_letters": sum(p.dead_letters for p in self.producers),
            "duplicates": sum(p.duplicates for p in self.producers),
        }

    def line(self) -> str:
        """One line: ``complete: 12,000 of 12,000 messages from 3 producers`` or what is
        missing, by producer and sequence range."""
        t = self.totals()
        if not self.producers:
            return "complete: nothing numbered was recorded (no producer seen)"
        counts = (f"{t['messages_stored']:,} of {t['messages_expected']:,} messages from "
                  f"{t['producers']} producer{'s' if t['producers'] != 1 else ''}")
        extra = "".join([f", {t['dead_letters']:,} dead letters" if t["dead_letters"] else "",
                         f", {t['duplicates']:,} duplicates suppressed"
                         if t["duplicates"] else ""])
        if self.complete:
            return f"complete: {counts}{extra}"
        gaps = "; ".join(
            f"{p.producer} batches {', '.join(_ranges(p.gaps))}"
            for p in self.producers if p.gaps)
        missing = sum(p.missing() for p in self.producers)
        return f"incomplete: {counts}{extra}; {missing:,} batches missing: {gaps}"

    def as_dict(self) -> dict[str, Any]:
        return {"complete": self.complete, **self.totals(), "producers": [
            {"producer": p.producer, "batches_expected": p.last, "batches_stored": p.stored,
             "ended": p.ended, "messages_stored": p.messages,
             "messages_expected": p.expected_messages, "dead_letters": p.dead_letters,
             "duplicates": p.duplicates, "gaps": [list(g) for g in p.gaps]}
            for p in self.producers]}


def _ranges(gaps: list[tuple[int, int]]) -> list[str]:
    return [f"{a}" if a == b else f"{a}-{b}" for a, b in gaps]


def verify(ledger: Ledger, workflow: str | None = None, campaign: str | None = None
           ) -> Completeness:
    """What was stored of everything (or of ``workflow`` / ``campaign``), by producer.

    Scoped to a workflow or campaign, a producer that sent any of it is checked whole:
    a missing batch's content is unknown, so it may have held the workflow's messages."""
    scoped = workflow is not None or campaign is not None
    producers = ledger.producers(workflow, campaign) if scoped else None
    if producers == []:
        return Completeness([])
    by_producer: dict[str, list[BatchRecord]] = {}
    for record in ledger.batches(producers):
        by_producer.setdefault(record.producer, []).append(record)
    reports = []
    for producer in sorted(by_producer):
        records = by_producer[producer]
        report = ProducerReport(producer)
        seen = set()
        for r in records:
            seen.add(r.seq)
            report.duplicates += r.deliveries - 1
            report.dead_letters += r.dead_letters
            if r.last_seq:
                report.ended = True
                report.last = max(report.last, r.last_seq)
                report.expected_messages = r.sent_messages
            elif not scoped or _touches(r, workflow, campaign):
                report.messages += r.messages
        report.stored = len(seen)
        report.last = max(report.last, max(seen))
        if scoped:
            report.expected_messages = None  # a producer's total spans other workflows
        report.gaps = _gaps(seen, report.last)
        reports.append(report)
    return Completeness(reports)


def _touches(record: BatchRecord, workflow: str | None, campaign: str | None) -> bool:
    return (workflow is not None and workflow in record.workflows) or (
        campaign is not None and campaign in record.campaigns)


def _gaps(seen: set[int], last: int) -> list[tuple[int, int]]:
    gaps: list[tuple[int, int]] = []
    start: int | None = None
    for seq in range(1, last + 1):
        if seq not in seen:
            start = seq if start is None else start
        elif start is not None:
            gaps.append((start, seq - 1))
            start = None
    if start is not None:
        gaps.append((start, last))
    return gaps


# --- the SQLite ledger (stores without their own) ---------------------------------------


class SqliteLedger:
    """The ledger in one SQLite file: for the embedded store, which has one writer."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS batches (producer TEXT, seq INTEGER, messages INTEGER,"
            " dead_letters INTEGER, workflows TEXT, campaigns TEXT, last_seq INTEGER,"
            " sent_messages INTEGER, deliveries INTEGER, PRIMARY KEY (producer, seq))")

    def record(self, records: list[BatchRecord]) -> None:
        rows = [(r.producer, r.seq, r.messages, r.dead_letters, orjson.dumps(r.workflows),
                 orjson.dumps(r.campaigns), r.last_seq, r.sent_messages) for r in records]
        with self._lock:
            self._db.executemany(
                "INSERT INTO batches VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1) ON CONFLICT "
                "(producer, seq) DO UPDATE SET deliveries = deliveries + 1", rows)

    def batches(self, producers: list[str] | None = None) -> list[BatchRecord]:
        with self._lock:
            rows = self._db.execute("SELECT * FROM batches").fetchall()
        wanted = set(producers) if producers is not None else None
        return [BatchRecord(p, s, m, d, tuple(orjson.loads(w)), tuple(orjson.loads(c)), ls,
                            sm, n)
                for p, s, m, d, w, c, ls, sm, n in rows if wanted is None or p in wanted]

    def producers(self, workflow: str | None = None, campaign: str | None = None
                  ) -> list[str]:
        return sorted({r.producer for r in self.batches()
                       if (workflow is None and campaign is None)
                       or _touches(r, workflow, campaign)})

    def close(self) -> None:
        self._db.close()
