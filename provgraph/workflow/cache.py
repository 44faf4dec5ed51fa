"""Step results by fingerprint: in memory, or on disk with atomic, marked entries.

A filesystem entry is ``<directory>/<fingerprint>/``: the format's files and a completion
marker, ``_COMPLETE.json`` (fingerprint, format, content id, the task that produced it).
It is written in a private temporary directory, marked, and only then renamed into
place, so a step that fails or is killed while its result is written never leaves an
entry: an entry without a readable marker is not a hit. With ``fsync`` (the default) the
result's files reach the disk before the marker is written, so a marker that survives a
power cut or OS crash vouches for its files too (a lost rename or marker is just a miss).
Formed writes in place and counts a directory that exists as a hit, so a write cut short
is served as a truncated result. A forced re-run replaces an entry the same way.

The marker also holds ``files_sha256``, a digest of the entry's files as they were written;
on a hit the executor asks :meth:`WorkflowCache.verify` and an entry whose files changed
since (edited by hand, damaged) is not served: the step runs again and replaces it, so the
graph never says a step used a content id other than the value it got. Verifying reads the
entry's files once per hit (no unpickling: a changed pickle is never loaded).

Trust: a ``pickle`` entry is code, run when it is loaded. A cache directory is only as
trusted as whoever can write to it: the digest catches edits, not someone who rewrites the
marker too. The directory provgraph creates for a cache is private (mode 0700); to share a
cache, open it up deliberately to people you would let run code in your steps.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import hashlib
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, ClassVar

import orjson

from provgraph.core.registry import Registry
from provgraph.workflow.errors import WorkflowError
from provgraph.workflow.result_formats import ResultFormat, resolve_format

CACHES_GROUP = "provgraph.workflow.caches"
MARKER = "_COMPLETE.json"
_TEMP_DIR = ".incomplete"
_LOCK_DIR = ".locks"
_STALE_TEMP_S = 24 * 3600.0


@dataclass(frozen=True)
class CacheEntry:
    """The completion marker of one entry: what was stored and who produced it."""

    fingerprint: str
    format: str
    content_id: str
    step: str = ""
    task_id: str | None = None
    execution_id: str | None = None
    written_at: float = 0.0
    preview: Any = None  # a small view of the value (provgraph.workflow.values.preview)
    files_sha256: str | None = None  # the entry's files as written (None: an older entry)

    def to_json(self) -> bytes:
        return orjson.dumps(asdict(self), option=orjson.OPT_INDENT_2)

    @classmethod
    def from_json(cls, data: bytes) -> CacheEntry:
        raw = orjson.loads(data)
        known = {k: v for k, v in raw.items() if k in cls.__dataclass_fields__}
        return cls(**known)


class WorkflowCache:
    """Results by fingerprint: ``entry(fp)`` (the marker, or ``None``), ``load(fp)``,
    ``store(fp, value, format, entry)``; ``fp in cache`` is true for complete entries."""

    kind: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        CACHES.register(cls.kind, cls)

    def entry(self, fingerprint: str) -> CacheEntry | None:
        raise NotImplementedError

    def load(self, fingerprint: str) -> Any:
        raise NotImplementedError

    def store(self, fingerprint: str, value: Any, format: ResultFormat[Any],
              entry: CacheEntry) -> None:
        raise NotImplementedError

    def remove(self, fingerprint: str) -> None:
        raise NotImplementedError

    def verify(self, fingerprint: str, entry: CacheEntry) -> str | None:
        """Why the entry cannot be served as its marker describes it (``None``: it can)."""
        return None

    def __contains__(self, fingerprint: object) -> bool:
        return isinstance(fingerprint, str) and self.entry(fingerprint) is not None

    def __getitem__(self, fingerprint: str) -> Any:
        if fingerprint not in self:
            raise KeyError(fingerprint)
        return self.load(fingerprint)

    def __delitem__(self, fingerprint: str) -> None:
        self.remove(fingerprint)


CACHES: Registry[type[WorkflowCache]] = Registry("workflow cache", CACHES_GROUP,
                                                 WorkflowError, base=WorkflowCache)


class EmptyWorkflowCache(WorkflowCache):
    """Stores nothing: every step runs."""

    kind = "empty"

    def entry(self, fingerprint: str) -> CacheEntry | None:
        return None

    def load(self, fingerprint: str) -> Any:
        raise KeyError(fingerprint)

    def store(self, fingerprint: str, value: Any, format: ResultFormat[Any],
              entry: CacheEntry) -> None:
        return None

    def remove(self, fingerprint: str) -> None:
        return None


class MemoryWorkflowCache(WorkflowCache):
    """Results kept in this process (tests, notebooks)."""

    kind = "memory"

    def __init__(self) -> None:
        self._items: dict[str, tuple[Any, CacheEntry]] = {}

    def entry(self, fingerprint: str) -> CacheEntry | None:
        found = self._items.get(fingerprint)
        return found[1] if found is not None else None

    def load(self, fingerprint: str) -> Any:
        return self._items[fingerprint][0]

    def store(self, fingerprint: str, value: Any, format: ResultFormat[Any],
              entry: CacheEntry) -> None:
        self._items[fingerprint] = (value, entry)

    def remove(self, fingerprint: str) -> None:
        self._items.pop(fingerprint, None)

    def __len__(self) -> int:
        return len(self._items)


def files_digest(directory: Path) -> str:
    """sha256 over the names and bytes of an entry's files (the marker left out)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in directory.rglob("*") if p.is_file() and p.name != MARKER):
        digest.update(path.relative_to(directory).as_posix().encode() + b"\0")
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        digest.update(b"\0")
    return digest.hexdigest()


def _fsync_files(directory: Path) -> None:
    for path in directory.rglob("*"):
        if path.is_file():
            with open(path, "rb") as handle:
                os.fsync(handle.fileno())


class FilesystemWorkflowCache(WorkflowCache):
    """Entries under ``directory`` (see the module docstring)."""

    kind = "filesystem"

    def __init__(self, directory: str | os.PathLike[str], fsync: bool = True) -> None:
        self.directory = Path(directory)
        if not self.directory.exists():
            # Private: whoever can write an entry can run code in a step that loads it.
            self.directory.parent.mkdir(parents=True, exist_ok=True)
            with contextlib.suppress(FileExistsError):
                self.directory.mkdir(mode=0o700)
        self.fsync = fsync

    def path(self, fingerprint: str) -> Path:
        if not fingerprint or "/" in fingerprint or fingerprint.startswith("."):
            raise WorkflowError(f"not a fingerprint: {fingerprint!r}")
        return self.directory / fingerprint

    def entry(self, fingerprint: str) -> CacheEntry | None:
        marker = self.path(fingerprint) / MARKER
        try:
            return CacheEntry.from_json(marker.read_bytes())
        except (FileNotFoundError, NotADirectoryError):
            return None
        except (orjson.JSONDecodeError, TypeError):
            return None  # a damaged marker is no entry

    def load(self, fingerprint: str) -> Any:
        entry = self.entry(fingerprint)
        if entry is None:
            raise KeyError(fingerprint)
        return resolve_format(entry.format).read(self.path(fingerprint))

    def verify(self, fingerprint: str, entry: CacheEntry) -> str | None:
        if entry.files_sha256 is None:
            return None  # written before entries carried a digest: served as before
        try:
            found = files_digest(self.path(fingerprint))
        except OSError as exc:
            return f"its files cannot be read ({exc.strerror or exc})"
        if found != entry.files_sha256:
            return "its files changed after it was written (edited or damaged)"
        return None

    @contextlib.contextmanager
    def _locked(self, fingerprint: str) -> Iterator[None]:
        locks = self.directory / _LOCK_DIR
        locks.mkdir(exist_ok=True)
        with open(locks / f"{fingerprint}.lock", "a+b") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def store(self, fingerprint: str, value: Any, format: ResultFormat[Any],
              entry: CacheEntry) -> None:
        final = self.path(fingerprint)
        temp_root = self.directory / _TEMP_DIR
        temp_root.mkdir(exist_ok=True)
        self._sweep(temp_root)
        temp = temp_root / f"{fingerprint}.{os.getpid()}.{uuid.uuid4().hex[:8]}"
        temp.mkdir()
        try:
            format.write(value, temp)
            entry = dataclasses.replace(entry, files_sha256=files_digest(temp))
            if self.fsync:
                _fsync_files(temp)  # the files are on disk before a marker vouches for them
            (temp / MARKER).write_bytes(entry.to_json())
            with self._locked(fingerprint):
                old = None
                if final.exists():
                    old = temp_root / f"{fingerprint}.old.{uuid.uuid4().hex[:8]}"
                    os.rename(final, old)
                os.rename(temp, final)
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
        finally:
            if temp.exists():
                shutil.rmtree(temp, ignore_errors=True)

    def remove(self, fingerprint: str) -> None:
        final = self.path(fingerprint)
        with self._locked(fingerprint):
            if final.exists():
                doomed = self.directory / _TEMP_DIR / f"{fingerprint}.rm.{uuid.uuid4().hex[:8]}"
                doomed.parent.mkdir(exist_ok=True)
                os.rename(final, doomed)
                shutil.rmtree(doomed, ignore_errors=True)

    @staticmethod
    def _sweep(temp_root: Path) -> None:
        """Delete what writers that died long ago left behind."""
        now = time.time()
        for leftover in temp_root.iterdir():
            with contextlib.suppress(OSError):
                if now - leftover.stat().st_mtime > _STALE_TEMP_S:
                    shutil.rmtree(leftover, ignore_errors=True)

    def entries(self) -> list[CacheEntry]:
        found = []
        for child in sorted(self.directory.iterdir()):
            if child.is_dir() and not child.name.startswith("."):
                entry = self.entry(child.name)
                if entry is not None:
                    found.append(entry)
        return found
