"""Reading the file hub: tail ``buffer.jsonl``, remembering the offset of what is stored.

The offset is saved in ``<data dir>/keeper/file-source.json`` after every ``ack``, so a
restarted keeper resumes where the last one stopped. A file that was replaced or
truncated (``Flowcept(delete_buffer_file=True)``) is read from its start: a file is
known by its inode and a fingerprint of its first bytes (an inode is often reused by the
next file, which can even grow to the same size). Only whole lines are read: a batch
being appended is picked up once complete. Dead letters are appended to
``<data dir>/keeper/dead-letter.jsonl``.

Lines that would hold the keeper:

* a line longer than the read window (8 MB) is read whole once its newline is found; one
  longer than ``keeper.max_line_bytes`` goes to the dead letters (its first 64 KB kept)
  without being read into memory;
* an incomplete last line that stays unchanged for ``keeper.torn_line_s`` is the torn tail
  of a producer that died mid-write: it goes to the dead letters and reading goes on
  after it (the file hub starts its next batch on a new line).
"""

from __future__ import annotations

import contextlib
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import orjson

from keeper.sources.base import Delivery, Source, decode_array_or_object
from provgraph.core.files import atomic_write

if TYPE_CHECKING:
    from provgraph.core.config import Settings

MAX_READ_BYTES = 8 * 1024 * 1024
DEAD_LETTER_HEAD = 64 * 1024  # bytes of an over-long or torn line kept in its dead letter
LINES_PER_ENTRY = 500  # a line is one message; a Redis entry holds a whole batch
HEAD_BYTES = 256  # the fingerprint: the first bytes hold a workflow or task id

_confirmed: set[str] = set()  # flush markers stored by keepers of this process
_confirmed_lock = threading.Lock()


class FileTailSource(Source):
    kind = "file"
    backlog_unit = "bytes"

    def __init__(self, path: str | Path, state_dir: str | Path, *,
                 max_line_bytes: int = 16 * 1024 * 1024, torn_line_s: float = 10.0) -> None:
        self.path = Path(path)
        self.state_dir = Path(state_dir)
        self.state_file = self.state_dir / "file-source.json"
        self.dead_letter_file = self.state_dir / "dead-letter.jsonl"
        self.max_line_bytes = max_line_bytes
        self.torn_line_s = torn_line_s
        self._inode, self._offset, self._head = self._load_state()
        self._interrupted = threading.Event()
        # An incomplete last line: (its offset, the file size, when first seen so).
        self._tail: tuple[int, int, float] | None = None
        self._scanned = (-1, 0)  # (offset of a long line, how far its newline was looked for)

    @classmethod
    def from_settings(cls, settings: Settings) -> FileTailSource:
        cfg = settings.keeper
        return cls(settings.buffer_file, settings.keeper_dir,
                   max_line_bytes=cfg.max_line_bytes, torn_line_s=cfg.torn_line_s)

    def _load_state(self) -> tuple[int | None, int, str]:
        try:
            state = orjson.loads(self.state_file.read_bytes())
            return state.get("inode"), int(state.get("offset", 0)), str(state.get("head", ""))
        except (FileNotFoundError, orjson.JSONDecodeError, ValueError, AttributeError):
            return None, 0, ""

    def _save_state(self) -> None:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        atomic_write(self.state_file, orjson.dumps({
            "inode": self._inode, "offset": self._offset, "head": self._head,
            "path": str(self.path)}))

    def _current(self) -> tuple[int | None, int]:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return None, 0
        return stat.st_ino, stat.st_size

    def _fingerprint(self, length: int) -> str:
        try:
            with open(self.path, "rb") as handle:
                return handle.read(min(length, HEAD_BYTES)).hex()
        except FileNotFoundError:
            return ""

    def _same_file(self, inode: int, size: int) -> bool:
        if inode != self._inode or size < self._offset:
            return False
        return not self._offset or self._fingerprint(self._offset) == self._head

    def read(self, max_entries: int, block_ms: int) -> list[Delivery]:
        deadline = time.monotonic() + block_ms / 1000
        while True:
            deliveries = self._read_once(max_entries)
            if deliveries or time.monotonic() >= deadline:
                return deliveries
            if self._interrupted.wait(min(0.02, max(0.0, deadline - time.monotonic()))):
                return []

    def _read_once(self, max_entries: int) -> list[Delivery]:
        inode, size = self._current()
        if inode is None:
            return []
        if not self._same_file(inode, size):  # a new file: start over
            self._inode, self._offset, self._head = inode, 0, ""
            self._tail, self._scanned = None, (-1, 0)
        if size == self._offset:
            return []
        with open(self.path, "rb") as handle:
            handle.seek(self._offset)
            data = handle.read(min(size - self._offset, MAX_READ_BYTES))
            end = data.rfind(b"\n")
            if end < 0:
                return self._no_newline(handle, data, size)
        self._tail = None
        deliveries: list[Delivery] = []
        position = self._offset
        for line in data[: end + 1].split(b"\n")[:-1]:
            line_end = position + len(line) + 1
            if len(line) > self.max_line_bytes:
                deliveries.append(self._too_long(line_end, line, len(line), position))
            elif line.strip():
                messages, error = decode_array_or_object(line)
                deliveries.append(Delivery(line_end, line, messages, error,
                                           f"{self.path}:{position}"))
                if len(deliveries) >= max_entries * LINES_PER_ENTRY:
                    break
            position = line_end
        if not deliveries:  # only blank lines: skip them
            self._offset = position
        return deliveries

    def _no_newline(self, handle: BinaryIO, window: bytes, size: int) -> list[Delivery]:
        """The read window holds no newline: a line longer than the window, or an
        incomplete last line (being written, or torn)."""
        start = self._offset
        origin = f"{self.path}:{start}"
        newline = self._find_newline(handle, start + len(window), size)
        if newline is not None:
            self._tail = None
            length = newline - start
            if length <= self.max_line_bytes:
                handle.seek(start)
                line = handle.read(length)
                messages, error = decode_array_or_object(line)
                return [Delivery(newline + 1, line, messages, error, origin)]
            return [self._too_long(newline + 1, window, length, start)]
        now = time.monotonic()
        if self._tail is None or self._tail[:2] != (start, size):
            self._tail = (start, size, now)  # changed since last look: still being written?
            return []
        if now - self._tail[2] < self.torn_line_s:
            return []
        self._tail = None
        length = size - start
        return [Delivery(size, window[:DEAD_LETTER_HEAD], None,
                         f"an incomplete last line of {length} bytes, unchanged for "
                         f"{self.torn_line_s:g}s (keeper.torn_line_s): the torn tail of a "
                         f"producer that died mid-write; its first "
                         f"{min(length, DEAD_LETTER_HEAD)} bytes are kept", origin)]

    def _too_long(self, end: int, head: bytes, length: int, start: int) -> Delivery:
        return Delivery(end, head[:DEAD_LETTER_HEAD], None,
                        f"a line of {length} bytes, longer than keeper.max_line_bytes "
                        f"({self.max_line_bytes}); its first "
                        f"{min(length, DEAD_LETTER_HEAD)} bytes are kept",
                        f"{self.path}:{start}")

    def _find_newline(self, handle: BinaryIO, position: int, size: int) -> int | None:
        """Offset of the first newline from ``position`` on, looking in windows and never
        looking at the same bytes twice for the same line."""
        line_start, scanned = self._scanned
        if line_start == self._offset:
            position = max(position, scanned)
        handle.seek(position)
        while position < size:
            chunk = handle.read(min(MAX_READ_BYTES, size - position))
            if not chunk:
                break
            found = chunk.find(b"\n")
            if found >= 0:
                self._scanned = (-1, 0)
                return position + found
            position += len(chunk)
        self._scanned = (self._offset, position)
        return None

    def ack(self, deliveries: list[Delivery]) -> None:
        if not deliveries:
            return
        self._offset = max(self._offset, max(int(d.ref) for d in deliveries))
        if len(self._head) < 2 * HEAD_BYTES:
            self._head = self._fingerprint(self._offset)
        self._save_state()

    def dead_letter(self, payload: bytes, reason: str, origin: str) -> None:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        record = {"payload": payload.decode(errors="replace"), "reason": reason,
                  "origin": origin, "time": time.time()}
        with open(self.dead_letter_file, "ab") as handle:
            handle.write(orjson.dumps(record) + b"\n")

    def dead_letters(self) -> list[dict[str, Any]]:
        if not self.dead_letter_file.exists():
            return []
        with open(self.dead_letter_file, "rb") as handle:
            return [orjson.loads(line) for line in handle if line.strip()]

    def backlog(self) -> int | None:
        inode, size = self._current()
        if inode is None:
            return 0
        return max(0, size - self._offset) if self._same_file(inode, size) else size

    def waiting_for(self) -> str | None:
        tail = self._tail
        if tail is None:
            return None
        left = max(0.0, self.torn_line_s - (time.monotonic() - tail[2]))
        return (f"the end of an incomplete last line of {tail[1] - tail[0]} bytes "
                f"(a dead letter if unchanged for {left:.0f}s more)")

    def interrupt(self) -> None:
        self._interrupted.set()

    def confirm(self, marker: str) -> None:
        with _confirmed_lock:
            _confirmed.add(marker)

    def confirmed(self, marker: str) -> bool:
        with _confirmed_lock:
            return marker in _confirmed

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._save_state()
