"""The default hub: JSON lines appended to a file under the data dir (no server)."""

from __future__ import annotations

import fcntl
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import orjson

from capture.hubs.base import Encoded, Hub, Message

if TYPE_CHECKING:
    from provgraph.config import Settings


def read_jsonl(path: str | Path, start: int = 0) -> list[Message]:
    """Decode the messages of a JSONL file from byte offset ``start`` (blank lines skipped)."""
    with open(path, "rb") as handle:
        if start:
            handle.seek(start)
        data = handle.read()
    if not data.strip():
        return []
    # One parse of the whole file as an array is several times faster than line by line.
    lines = [line for line in data.split(b"\n") if line.strip()]
    return list(orjson.loads(b"[" + b",".join(lines) + b"]"))


class FileHub(Hub):
    """Appends each batch with a single ``write`` on an ``O_APPEND`` descriptor, under an
    exclusive ``flock``.

    Several processes may append to one file (Dask workers, ``multiprocessing``): the
    append is atomic on a local file system, and the lock keeps a batch whole even when
    the kernel writes it in parts (a short write is finished before another process may
    write).
    """

    kind = "file"

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._fd: int | None = None
        self._inode: int | None = None
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
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            self._inode = os.fstat(self._fd).st_ino
        return self._fd

    def emit(self, batch: list[Encoded]) -> None:
        if not batch:
            return
        data = b"\n".join(batch) + b"\n"
        with self._lock:
            fd = self._open()
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                view = memoryview(data)
                while view:
                    written = os.write(fd, view)
                    view = view[written:]
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
