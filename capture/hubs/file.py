"""The default hub: JSON lines appended to a file under the data dir (no server)."""

from __future__ import annotations

import fcntl
import logging
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import orjson

from capture.hubs.base import Encoded, Hub, Message

if TYPE_CHECKING:
    from provgraph.core.config import Settings

log = logging.getLogger(__name__)


def read_jsonl(path: str | Path, start: int = 0) -> list[Message]:
    """Decode the messages of a JSONL file from byte offset ``start`` (blank lines skipped;
    a line that is not JSON, such as the torn tail of a producer that died mid-write, is
    skipped with a warning naming its offset)."""
    with open(path, "rb") as handle:
        if start:
            handle.seek(start)
        data = handle.read()
    if not data.strip():
        return []
    # One parse of the whole file as an array is several times faster than line by line.
    lines = [line for line in data.split(b"\n") if line.strip()]
    try:
        return list(orjson.loads(b"[" + b",".join(lines) + b"]"))
    except orjson.JSONDecodeError:
        pass
    messages: list[Message] = []
    position = start
    for line in data.split(b"\n"):
        if line.strip():
            try:
                messages.append(orjson.loads(line))
            except orjson.JSONDecodeError as exc:
                log.warning("%s: skipping a line at byte %s that is not JSON (%s)",
                            path, position, exc)
        position += len(line) + 1
    return messages


class FileHub(Hub):
    """Appends each batch with a single ``write`` on an ``O_APPEND`` descriptor, under an
    exclusive ``flock``.

    Several processes may append to one file (Dask workers, ``multiprocessing``): the
    append is atomic on a local file system, and the lock keeps a batch whole even when
    the kernel writes it in parts (a short write is finished before another process may
    write). A batch starts on a new line: when the file does not end with a newline (the
    torn tail of a producer that died mid-write) one is written first, so the torn line
    stays alone (a dead letter for the keeper) and this batch's first message is kept whole.
    """

    kind = "file"

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._fd: int | None = None
        self._inode: int | None = None
        self._end = 0  # the file size after our last write: it ends with our newline
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> FileHub:
        return cls(settings.buffer_file)

    def _open(self) -> int:
        """The descriptor, reopened if the file was deleted or replaced meanwhile
        (``Flowcept(delete_buffer_file=True)`` in this or another process)."""
        if self._fd is not None:
            try:
                current = os.stat(self.path).st_ino
            except FileNotFoundError:
                current = None
            if current != self._inode:
                os.close(self._fd)
                self._fd = None
        if self._fd is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # Read access too: emit looks at the last byte (pread) before appending.
            self._fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
            self._inode = os.fstat(self._fd).st_ino
            self._end = -1
        return self._fd

    def _ends_mid_line(self, fd: int) -> bool:
        size = os.fstat(fd).st_size
        if size == 0 or size == self._end:
            return False
        return os.pread(fd, 1, size - 1) != b"\n"

    def emit(self, batch: list[Encoded]) -> None:
        if not batch:
            return
        data = b"\n".join(batch) + b"\n"
        with self._lock:
            fd = self._open()
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                if self._ends_mid_line(fd):
                    data = b"\n" + data
                view = memoryview(data)
                while view:
                    written = os.write(fd, view)
                    view = view[written:]
                self._end = os.lseek(fd, 0, os.SEEK_CUR)  # O_APPEND: the end of our write
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)

    def mark(self) -> int:
        try:
            return self.path.stat().st_size
        except FileNotFoundError:
            return 0

    def read_since(self, mark: int | None) -> list[Message]:
        if not self.path.exists():
            return []
        size = self.path.stat().st_size
        start = mark if mark is not None and mark <= size else 0  # smaller: file was replaced
        return read_jsonl(self.path, start)

    def alive(self) -> bool:
        try:
            self._open()
        except OSError:
            return False
        return True

    def close(self) -> None:
        with self._lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None

    def reset_after_fork(self) -> None:
        """The child gets its own lock and opens the file anew: a ``flock`` belongs to the
        open file, which the inherited descriptor shares with the parent."""
        self._lock = threading.Lock()
        if self._fd is not None:
            os.close(self._fd)  # the child's copy; the parent's stays open
            self._fd = None
