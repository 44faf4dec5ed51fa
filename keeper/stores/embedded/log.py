"""The durable half of the embedded store: an append-only JSON-lines log and a writer lock.

Files in the store directory:

* ``graph.log``: one JSON object per line (orjson). The first line is a header
  ``{"format": "provgraph-embedded-log", "version": 1}``; every other line is one write,
  ``{"n": [[id, labels, props], ...], "e": [[type, src, dst, props], ...]}``: the nodes and
  edges of a delta that changed something (derived edges included), replayed in order with
  the store's merge rules. Each line is written with one ``os.write`` and made durable with
  ``fdatasync`` before ``write()`` returns (the size of an appended file is part of what
  ``fdatasync`` flushes, so it is as durable as ``fsync`` here).
* ``writer.lock``: an exclusive ``flock`` held by the one process that writes.

Only the writer changes ``graph.log``: it appends, and it replaces the whole file by an
atomic rename (``clear``, ``compact``). A reader follows by byte offset: lines appended
since its last look are read; a new inode or a shorter file means "start again".

A crash mid-append leaves a torn last line (no newline, or bytes that do not parse). A
reader never reads past it (it may still be being written); the next writer ignores it with
a warning and truncates it away before appending.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import itertools
import logging
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import orjson

from provgraph.core.errors import StoreUnavailableError

log = logging.getLogger(__name__)

LOG_NAME = "graph.log"
LOCK_NAME = "writer.lock"
HEADER = {"format": "provgraph-embedded-log", "version": 1}
HEADER_LINE = orjson.dumps(HEADER) + b"\n"
READ_CHUNK = 8 << 20

Record = dict[str, Any]


def encode(nodes: list[Any], edges: list[Any]) -> bytes:
    """One log line for these node and edge entries."""
    return orjson.dumps({"n": nodes, "e": edges}) + b"\n"


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


_sync = getattr(os, "fdatasync", os.fsync)


class GraphLog:
    """``graph.log`` and ``writer.lock`` of one directory (not thread-safe: the store locks)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.path = directory / LOG_NAME
        self.lock_path = directory / LOCK_NAME
        self.offset = 0  # bytes of complete lines applied to memory
        self.entries = 0  # node and edge entries in those lines (for the compaction policy)
        self._fd: int | None = None  # graph.log: O_RDONLY for a reader, O_RDWR|O_APPEND writer
        self._ino: int | None = None
        self._lock_fd: int | None = None
        self._pending_reset = False  # memory holds another file's graph
        self._warned_at = -1

    @property
    def is_writer(self) -> bool:
        return self._lock_fd is not None

    # --- reading ----------------------------------------------------------------------------

    def poll(self) -> tuple[bool, Iterator[Record]]:
        """``(reset, records)``: ``reset`` when memory must be emptied first (file replaced,
        shrunk or deleted), then the records of the complete lines not applied yet.

        ``self.offset`` advances as the iterator is consumed; consume it fully.
        """
        reset, self._pending_reset = self._pending_reset, False
        try:
            if self.is_writer and self._fd is not None:  # nobody else changes the file
                size = os.fstat(self._fd).st_size
                return reset, self._records(size) if size > self.offset else iter(())
            try:
                st = os.stat(self.path)
            except FileNotFoundError:
                self._close_fd()
                reset = reset or self._ino is not None or self.offset > 0
                self._ino, self.offset, self.entries = None, 0, 0
                return reset, iter(())
            if self._fd is None or st.st_ino != self._ino:
                self._close_fd()
                self._fd = os.open(self.path, os.O_RDONLY)
                st = os.fstat(self._fd)
                if st.st_ino != self._ino:  # a new file (first open, clear, compact)
                    reset = reset or self._ino is not None or self.offset > 0
                    self._ino, self.offset, self.entries = st.st_ino, 0, 0
                    self._warned_at = -1
            if st.st_size < self.offset:  # truncated behind our back: start again
                reset, self.offset, self.entries = True, 0, 0
            if st.st_size <= self.offset:
                return reset, iter(())
            return reset, self._records(st.st_size)
        except OSError as exc:
            raise StoreUnavailableError(f"cannot read the embedded store log {self.path}: {exc}"
                                        ) from exc

    def _records(self, size: int) -> Iterator[Record]:
        assert self._fd is not None
        fd = self._fd
        pos = self.offset
        carry = b""
        while pos < size:
            chunk = os.pread(fd, min(READ_CHUNK, size - pos), pos)
            if not chunk:
                break
            pos += len(chunk)
            data = carry + chunk if carry else chunk
            end = data.rfind(b"\n")
            if end < 0:
                carry = data
                continue
            carry = data[end + 1 :]
            start = 0
            while start <= end:
                stop = data.index(b"\n", start)
                line = data[start:stop]
                try:
                    record = orjson.loads(line)
                    if not isinstance(record, dict):
                        raise ValueError("not a JSON object")
                except ValueError as exc:
                    if stop == end and not carry and pos >= size:
                        # The last line: torn by a crash (the writer cuts it), never skipped.
                        self._warn_torn(f"unreadable last line ({exc})")
                        return
                    log.warning("embedded store log %s: skipping a corrupt line at byte %d: %s",
                                self.path, self.offset, exc)
                    self.offset += stop + 1 - start
                    start = stop + 1
                    continue
                self.offset += stop + 1 - start
                start = stop + 1
                if "n" in record or "e" in record:
                    self.entries += len(record.get("n") or ()) + len(record.get("e") or ())
                    yield record
                elif record.get("format") != HEADER["format"]:
                    log.warning("embedded store log %s: skipping an unknown line at byte %d",
                                self.path, self.offset)
        if carry and not self.is_writer:
            log.debug("embedded store log %s: incomplete last line (being written?)", self.path)

    def _warn_torn(self, what: str) -> None:
        if self._warned_at != self.offset:
            self._warned_at = self.offset
            log.warning("embedded store log %s: %s at byte %d is ignored (torn by a crash?)",
                        self.path, what, self.offset)

    # --- writing ----------------------------------------------------------------------------

    def acquire(self) -> None:
        """Become the writer: take ``writer.lock`` (without waiting) and open the log for
        appending. The caller then applies :meth:`poll` and calls :meth:`cut_torn_tail`."""
        if self.is_writer:
            return
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            lock_fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise StoreUnavailableError(f"cannot open {self.lock_path}: {exc}") from exc
        try:
            fcntl.flock(lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(lock_fd)
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise StoreUnavailableError(
                    f"another process is writing to the embedded store {self.directory} "
                    f"(it holds {self.lock_path})") from None
            raise StoreUnavailableError(f"cannot lock {self.lock_path}: {exc}") from exc
        try:
            created = not self.path.exists()
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
            if created:
                _fsync_dir(self.directory)
        except OSError as exc:
            fcntl.flock(lock_fd, fcntl.LOCK_UN)
            os.close(lock_fd)
            raise StoreUnavailableError(f"cannot open {self.path} for writing: {exc}") from exc
        ino = os.fstat(fd).st_ino
        if ino != self._ino:  # not the file memory was read from: replay it from the start
            self._pending_reset = self._pending_reset or self._ino is not None or self.offset > 0
            self.offset = self.entries = 0
        self._close_fd()
        self._fd, self._ino, self._lock_fd = fd, ino, lock_fd

    def cut_torn_tail(self) -> None:
        """(writer) Remove bytes after the last applied line: a torn line from a crash."""
        assert self._fd is not None
        try:
            size = os.fstat(self._fd).st_size
            if size > self.offset:
                log.warning("embedded store log %s: truncating %d bytes of a torn last line "
                            "(a crash mid-write)", self.path, size - self.offset)
                os.ftruncate(self._fd, self.offset)
                _sync(self._fd)
            if self.offset == 0:
                self.append(HEADER_LINE, entries=0)
        except OSError as exc:
            raise StoreUnavailableError(f"cannot repair {self.path}: {exc}") from exc

    def append(self, line: bytes, entries: int) -> None:
        """(writer) Append one line and make it durable; on failure nothing stays appended."""
        assert self._fd is not None, "not the writer"
        fd = self._fd
        start = self.offset
        try:
            view = memoryview(line)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            _sync(fd)
        except OSError as exc:
            try:
                os.ftruncate(fd, start)
            except OSError:
                log.exception("cannot undo a failed append to %s", self.path)
            raise StoreUnavailableError(f"cannot append to {self.path}: {exc}") from exc
        self.offset = start + len(line)
        self.entries += entries

    def replace(self, lines: Iterable[bytes], entries: int) -> None:
        """(writer) Atomically replace the log by a header and ``lines`` (clear, compact);
        ``entries``: how many node and edge entries ``lines`` hold."""
        assert self._fd is not None, "not the writer"
        tmp = self.path.with_name(LOG_NAME + ".tmp")
        try:
            fd = os.open(tmp, os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC, 0o644)
        except OSError as exc:
            raise StoreUnavailableError(f"cannot create {tmp}: {exc}") from exc
        try:
            size = 0
            for line in itertools.chain((HEADER_LINE,), lines):
                view = memoryview(line)
                while view:
                    view = view[os.write(fd, view) :]
                size += len(line)
            os.fsync(fd)
            os.replace(tmp, self.path)
        except BaseException as exc:
            os.close(fd)
            with contextlib.suppress(OSError):
                tmp.unlink()
            if isinstance(exc, OSError):
                raise StoreUnavailableError(f"cannot rewrite {self.path}: {exc}") from exc
            raise
        # From here on graph.log is the new file: switch to it whatever happens next.
        self._close_fd()
        self._fd, self._ino = fd, os.fstat(fd).st_ino
        self.offset, self.entries = size, entries
        try:
            _fsync_dir(self.directory)
        except OSError as exc:
            raise StoreUnavailableError(f"cannot sync {self.directory}: {exc}") from exc

    def size(self) -> int:
        try:
            return os.stat(self.path).st_size
        except OSError:
            return 0

    # --- lifecycle --------------------------------------------------------------------------

    def alive(self) -> bool:
        """Whether the log can be read (and, for the writer, written) now."""
        try:
            if self._fd is not None:
                os.fstat(self._fd)
            if not self.directory.is_dir():
                return False
            if self.path.exists():
                mode = os.R_OK | (os.W_OK if self.is_writer else 0)
                return os.access(self.path, mode)
            return os.access(self.directory, os.R_OK | os.X_OK)
        except OSError:
            return False

    def release(self) -> None:
        """Close the files and give the writer lock back. Idempotent."""
        self._close_fd()
        if self._lock_fd is not None:
            try:
                fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
            finally:
                os.close(self._lock_fd)
                self._lock_fd = None

    def forget_after_fork(self) -> None:
        """In a forked child: close the inherited files without unlocking (that would
        release the parent's lock, which shares the open file description)."""
        for fd in (self._fd, self._lock_fd):
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._fd = self._lock_fd = None
        # Memory may hold a write that a parent thread had not logged yet: read it all again.
        self._ino, self.offset, self.entries, self._pending_reset = None, 0, 0, True

    def _close_fd(self) -> None:
        """Close graph.log (``_ino`` stays: memory still reflects that file up to offset)."""
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.close(fd)
