"""Conversion of a store directory written by the earlier embedded store (a networkx graph
made durable by ``graph.log``) into ``graph.db``, on first open.

This is the one reader of the old format left: ``graph.log`` is JSON lines, a header
``{"format": "provgraph-embedded-log", "version": 1}`` then one line per write,
``{"n": [[id, labels, props], ...], "e": [[type, src, dst, props], ...]}``, replayed in
order with the merge rules (derived ``WAS_INFORMED_BY`` edges are in the log already). A
line cut short by a crash at the end is ignored; a corrupt line elsewhere is skipped with a
warning, as the old store did.

Atomic: the database is built as ``graph.db.converting`` and renamed to ``graph.db`` only
once complete; ``graph.log`` stays until then, and is kept afterwards as
``graph.log.converted`` (delete it once the new store is known good). A conversion cut
short (killed, disk full) leaves the old log as it was and starts again on the next open.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson

from keeper.stores.embedded import db as sqlite_db
from keeper.stores.embedded.write import Batch
from prov_model.delta import Node
from provgraph.core.errors import StoreUnavailableError

log = logging.getLogger(__name__)

LOG_NAME = "graph.log"
CONVERTED_NAME = "graph.log.converted"
FORMAT = "provgraph-embedded-log"
ENTRIES_PER_TRANSACTION = 50_000
Progress = Callable[[int, int], None]  # (bytes read, bytes in all)


def read_log(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(bytes read so far, record)`` for every write line of an old ``graph.log``."""
    with path.open("rb") as f:
        done = 0
        pending: bytes | None = None
        for line in f:
            if pending is not None:
                log.warning("old embedded store log %s: skipping a corrupt line", path)
                pending = None
            done += len(line)
            try:
                record = orjson.loads(line)
            except orjson.JSONDecodeError:
                pending = line  # corrupt, or the torn last line of a crash
                continue
            if not isinstance(record, dict):
                continue
            if "n" in record or "e" in record:
                yield done, record
            elif record.get("format") != FORMAT:
                log.warning("old embedded store log %s: skipping an unknown line", path)
        if pending is not None:
            log.warning("old embedded store log %s: ignoring a torn last line (a crash "
                        "mid-write)", path)


def _tty_progress() -> Progress:
    """A one-line progress bar on stderr when it is a terminal, else log lines."""
    shown = {"at": -1.0, "step": -1}
    tty = sys.stderr.isatty()

    def report(done: int, total: int) -> None:
        part = done / total if total else 1.0
        now = time.monotonic()
        if tty and (now - shown["at"] > 0.2 or done >= total):
            shown["at"] = now
            bar = "#" * int(30 * part)
            sys.stderr.write(f"\rconverting the embedded store to SQLite [{bar:<30}] "
                             f"{part:4.0%}")
            if done >= total:
                sys.stderr.write("\n")
            sys.stderr.flush()
        elif not tty and int(part * 10) > shown["step"]:
            shown["step"] = int(part * 10)
            log.info("converting the embedded store to SQLite: %d%%", int(part * 100))

    return report


def convert(directory: Path, target: Path, writer: sqlite_db.WriterLock,
            progress: Progress | None = None) -> None:
    """Build ``target`` from ``directory/graph.log`` (see the module docstring)."""
    source = directory / LOG_NAME
    held = writer.held
    writer.acquire()  # one converter at a time; a running old keeper would hold it too
    try:
        if target.exists() or not source.exists():
            return  # another process converted it while we waited
        tmp = target.with_name(target.name + ".converting")
        for leftover in (tmp, tmp.with_name(tmp.name + "-wal"), tmp.with_name(tmp.name + "-shm")):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
        total = source.stat().st_size
        report = progress or _tty_progress()
        log.info("converting the embedded store log %s (%d bytes) to %s", source, total, target)
        _replay(source, tmp, total, report)
        os.replace(tmp, target)
        _fsync_dir(directory)
        os.replace(source, directory / CONVERTED_NAME)
        _fsync_dir(directory)
        log.warning("converted %s to %s; the old log is kept as %s (delete it once you no "
                    "longer need it)", source, target, directory / CONVERTED_NAME)
    except OSError as exc:
        raise StoreUnavailableError(f"cannot convert {source} to {target}: {exc.strerror or exc}"
                                    " (the old log is unchanged)") from None
    finally:
        if not held:
            writer.release()


def _replay(source: Path, tmp: Path, total: int, report: Progress) -> None:
    conn = sqlite_db.connect(tmp)
    try:
        batch: Batch | None = None
        entries = 0
        done = 0
        for done, record in read_log(source):
            if batch is None:
                conn.execute("BEGIN IMMEDIATE")
                batch = Batch(conn, check=False)
            nodes = [Node(n[0], tuple(n[1]), n[2]) for n in record.get("n") or ()]
            edges = [(e[0], e[1], e[2], e[3]) for e in record.get("e") or ()]
            batch.nodes(nodes)
            batch.edges(edges)
            entries += len(nodes) + len(edges)
            if entries >= ENTRIES_PER_TRANSACTION:
                batch.finish()
                conn.execute("COMMIT")
                batch, entries = None, 0
                report(done, total)
        if batch is not None:
            batch.finish()
            conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        report(total, total)
    except BaseException as exc:
        with contextlib.suppress(Exception):
            if conn.in_transaction:
                conn.execute("ROLLBACK")
        conn.close()
        if isinstance(exc, sqlite3.Error):
            raise sqlite_db.translate(exc, tmp, "convert into") from None
        raise
    conn.close()


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
