"""A local disk spool for batches a server could not take, replayed in order later.

Each process appends to its own file (``<pid>-<random>.spool``) so writers never share
one; a replay claims a file with an exclusive ``flock``, so the files of a process that
died are replayed by the next hub or by ``provgraph replay``, exactly one replayer at a
time. A line is ``<batch id> TAB <payload>`` (payloads are JSON without newlines).
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
from collections.abc import Callable, Iterator
from pathlib import Path

log = logging.getLogger(__name__)

Entry = tuple[str, bytes]  # (batch id, payload)
SUFFIX = ".spool"


class Spool:
    """The spool of one process: its own file, held under an exclusive lock while the
    process lives (so no other replayer takes it), plus the orphans of dead processes."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        self._fd: int | None = None
        self._path: Path | None = None
        self._pid = os.getpid()

    def _own_fd(self) -> int:
        if self._pid != os.getpid():  # forked: the parent's file and lock stay the parent's
            self._fd, self._path, self._pid = None, None, os.getpid()
        if self._fd is None:
            self.directory.mkdir(parents=True, exist_ok=True)
            path = self.directory / f"{os.getpid()}-{os.urandom(4).hex()}{SUFFIX}"
            fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
            fcntl.flock(fd, fcntl.LOCK_EX)
            self._fd, self._path = fd, path
        return self._fd

    def append(self, entries: list[Entry]) -> None:
        data = b"".join(
            batch_id.encode() + b"\t" + payload + b"\n" for batch_id, payload in entries
        )
        fd = self._own_fd()
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)

    def own_pending(self) -> bool:
        return self._fd is not None and self._pid == os.getpid() and os.fstat(self._fd).st_size > 0

    def replay(self, send: Callable[[list[Entry]], None], chunk: int = 500) -> int:
        """Send every spooled entry, own file first, then the orphans, oldest first.

        A file is cleared only after all its entries were sent; if ``send`` raises, it
        stays (entries already sent go again: the hub de-duplicates by batch id).
        Returns the number of entries sent.
        """
        sent = 0
        if self.own_pending():
            assert self._fd is not None and self._path is not None
            sent += _send_all(self._path, send, chunk)
            os.ftruncate(self._fd, 0)
        for path in self._orphans():
            with _claimed(path) as claimed:
                if claimed:
                    sent += _send_all(path, send, chunk)
                    path.unlink(missing_ok=True)
        return sent

    def _orphans(self) -> list[Path]:
        if not self.directory.is_dir():
            return []
        found = [p for p in self.directory.glob(f"*{SUFFIX}") if p != self._path]
        return sorted(found, key=lambda p: p.stat().st_mtime)

    def count(self) -> int:
        """Entries waiting in every spool file of the directory."""
        total = 0
        for path in ([self._path] if self._path else []) + self._orphans():
            with contextlib.suppress(FileNotFoundError), open(path, "rb") as handle:
                total += sum(1 for line in handle if line.strip())
        return total

    def close(self) -> None:
        """Release the own file (removed when empty, else left for a later replay)."""
        if self._fd is None or self._pid != os.getpid():
            return
        empty = os.fstat(self._fd).st_size == 0
        if empty and self._path is not None:
            self._path.unlink(missing_ok=True)
        os.close(self._fd)
        self._fd = None
        self._path = None


def _send_all(path: Path, send: Callable[[list[Entry]], None], chunk: int) -> int:
    entries = list(_read(path))
    for start in range(0, len(entries), chunk):
        send(entries[start:start + chunk])
    return len(entries)


def _read(path: Path) -> Iterator[Entry]:
    with open(path, "rb") as handle:
        for line in handle:
            line = line.rstrip(b"\n")
            if not line:
                continue
            batch_id, _, payload = line.partition(b"\t")
            if payload:
                yield batch_id.decode(), payload
            else:
                log.warning("skipping a torn spool line in %s", path)


@contextlib.contextmanager
def _claimed(path: Path) -> Iterator[bool]:
    """Hold an exclusive non-blocking lock on ``path`` (False: someone else has it)."""
    try:
        fd = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        yield False
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)
