"""Reading the file hub: tail ``buffer.jsonl``, remembering the offset of what is stored.

The offset is saved in ``<data dir>/keeper/file-source.json`` after every ``ack``, so a
restarted keeper resumes where the last one stopped. A file that was replaced or
truncated (``Flowcept(delete_buffer_file=True)``) is read from its start: a file is
known by its inode and a fingerprint of its first bytes (an inode is often reused by the
next file, which can even grow to the same size). Only whole lines are read: a batch
being appended is picked up once complete. Dead letters are appended to
``<data dir>/keeper/dead-letter.jsonl``.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from keeper.sources.base import Delivery, Source, decode_array_or_object

if TYPE_CHECKING:
    from provgraph.config import Settings

MAX_READ_BYTES = 8 * 1024 * 1024
LINES_PER_ENTRY = 500  # a line is one message; a Redis entry holds a whole batch
HEAD_BYTES = 256  # the fingerprint: the first bytes hold a workflow or task id

_confirmed: set[str] = set()  # flush markers stored by keepers of this process
_confirmed_lock = threading.Lock()


class FileTailSource(Source):
    kind = "file"
    backlog_unit = "bytes"

    def __init__(self, path: str | Path, state_dir: str | Path) -> None:
        self.path = Path(path)
        self.state_dir = Path(state_dir)
        self.state_file = self.state_dir / "file-source.json"
        self.dead_letter_file = self.state_dir / "dead-letter.jsonl"
        self._inode, self._offset, self._head = self._load_state()
        self._interrupted = threading.Event()

    @classmethod
    def from_settings(cls, settings: Settings) -> FileTailSource:
        return cls(settings.buffer_file, settings.keeper_dir)

    def _load_state(self) -> tuple[int | None, int, str]:
        try:
            state = orjson.loads(self.state_file.read_bytes())
            return state.get("inode"), int(state.get("offset", 0)), str(state.get("head", ""))
        except (FileNotFoundError, orjson.JSONDecodeError, ValueError, AttributeError):
            return None, 0, ""

    def _save_state(self) -> None:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        tmp = self.state_file.with_suffix(".tmp")
        tmp.write_bytes(orjson.dumps({"inode": self._inode, "offset": self._offset,
                                      "head": self._head, "path": str(self.path)}))
        os.replace(tmp, self.state_file)

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
        if size == self._offset:
            return []
        with open(self.path, "rb") as handle:
            handle.seek(self._offset)
            data = handle.read(min(size - self._offset, MAX_READ_BYTES))
        end = data.rfind(b"\n")
        if end < 0:
            return []
        deliveries: list[Delivery] = []
        position = self._offset
        for line in data[: end + 1].split(b"\n")[:-1]:
            line_end = position + len(line) + 1
            if line.strip():
                messages, error = decode_array_or_object(line)
                deliveries.append(Delivery(line_end, line, messages, error,
                                           f"{self.path}:{position}"))
                if len(deliveries) >= max_entries * LINES_PER_ENTRY:
                    break
            position = line_end
        if not deliveries:  # only blank lines: skip them
            self._offset = position
        return deliveries

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
