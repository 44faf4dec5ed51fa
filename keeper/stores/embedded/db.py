"""The embedded store's file: one SQLite database (WAL) and the one-writer lock.

Files in the store directory:

* ``graph.db`` (with SQLite's ``graph.db-wal`` and ``graph.db-shm`` beside it while it is
  open): the nodes, the edges and a few tallies (:data:`SCHEMA`). ``PRAGMA application_id``
  marks it as provgraph's, ``PRAGMA user_version`` is the schema version.
* ``writer.lock``: an exclusive ``flock`` held by the one process that writes. SQLite lets
  a second writer wait for the first; the keeper wants to be told at once instead
  (:class:`StoreUnavailableError`, then its backoff), as with the log store before.

Every SQLite failure is turned into one line naming the file (:func:`translate`): the CLI
prints it, the keeper retries on :class:`StoreUnavailableError`.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import logging
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from provgraph.core.errors import StoreError, StoreUnavailableError

log = logging.getLogger(__name__)

DB_NAME = "graph.db"
LOCK_NAME = "writer.lock"
APPLICATION_ID = 0x50475246  # "PGRF": this file is a provgraph store
SCHEMA_VERSION = 1
BUSY_TIMEOUT_MS = 10_000
# SQLite's page cache: a reader (a CLI command, an export, the explorer) keeps a small one,
# so its memory stays flat whatever the store's size; the writer (a keeper) a big one, as a
# write touches index pages all over the file.
READ_CACHE_KIB = 8 * 1024
WRITE_CACHE_KIB = 64 * 1024

# Node props and labels are JSON (orjson) as the Neo4j store keeps nested maps as JSON
# strings; a few flat copies of props (workflow_id, activity_id, status) are columns so
# the reads that filter on them use an index. Edge identity is (src, type, dst, key), key
# the edge's ``rid`` (imported PROV relations) or ``role``, '' for none.
SCHEMA = """
CREATE TABLE nodes (
    n INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    labels TEXT NOT NULL,
    props TEXT NOT NULL,
    workflow_id TEXT,
    activity_id TEXT,
    status TEXT
);
CREATE INDEX nodes_labels ON nodes(labels);
CREATE INDEX nodes_workflow ON nodes(workflow_id) WHERE workflow_id IS NOT NULL;
CREATE INDEX nodes_activity ON nodes(activity_id) WHERE activity_id IS NOT NULL;
CREATE INDEX nodes_status ON nodes(status) WHERE status IS NOT NULL;
CREATE TABLE edges (
    src TEXT NOT NULL,
    type TEXT NOT NULL,
    dst TEXT NOT NULL,
    key TEXT NOT NULL,
    role TEXT,
    props TEXT,
    PRIMARY KEY (src, type, dst, key)
) WITHOUT ROWID;
CREATE INDEX edges_in ON edges(dst, type, src);
CREATE TABLE label_sets (labels TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE tallies (
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (kind, name)
) WITHOUT ROWID;
CREATE TABLE meta (key TEXT PRIMARY KEY, value) WITHOUT ROWID;
INSERT INTO meta(key, value) VALUES ('revision', 0);
"""


def translate(exc: BaseException, path: Path, doing: str) -> StoreError:
    """One line naming the file for a SQLite or OS failure: unavailable (the keeper
    retries) for every fault of the file or the disk."""
    text = str(exc) or type(exc).__name__
    lowered = text.lower()
    if "not a database" in lowered:
        return StoreUnavailableError(f"{path} is not a provgraph store (not a SQLite "
                                     "database); move it away or point the store elsewhere")
    if "malformed" in lowered or "corrupt" in lowered:
        return StoreUnavailableError(
            f"{path} is corrupt ({text}); restore it from a backup "
            "(provgraph store backup) or recover it with the sqlite3 shell's .recover")
    if "full" in lowered or getattr(exc, "errno", None) == errno.ENOSPC:
        return StoreUnavailableError(f"cannot write {path}: the disk is full (nothing of this "
                                     "write was stored; free space and retry)")
    if "readonly" in lowered or "read-only" in lowered or "unable to open" in lowered \
            or isinstance(exc, PermissionError):
        return StoreUnavailableError(f"cannot {doing} {path}: {text} (is the directory "
                                     "read-only or missing?)")
    if "locked" in lowered or "busy" in lowered:
        return StoreUnavailableError(f"cannot {doing} {path}: the database is busy ({text})")
    return StoreUnavailableError(f"cannot {doing} {path}: {text}")


def connect(path: Path) -> sqlite3.Connection:
    """A connection to ``path`` (created with the schema when new), checked to be a
    provgraph store of a schema version this code knows."""
    try:
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False,
                               timeout=BUSY_TIMEOUT_MS / 1000)
    except sqlite3.Error as exc:
        raise translate(exc, path, "open") from None
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if app_id == 0 and version == 0:
            _create(conn, path)
        elif app_id != APPLICATION_ID:
            raise StoreUnavailableError(
                f"{path} is a SQLite database but not a provgraph store "
                f"(application id {app_id:#x}); move it away or point the store elsewhere")
        elif version > SCHEMA_VERSION:
            raise StoreUnavailableError(
                f"{path} has schema version {version}, newer than this provgraph knows "
                f"({SCHEMA_VERSION}): upgrade provgraph to read it")
        conn.execute("PRAGMA synchronous = FULL")  # the keeper acks after commit: durable
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute(f"PRAGMA cache_size = -{READ_CACHE_KIB}")
    except BaseException as exc:
        conn.close()
        if isinstance(exc, sqlite3.Error):
            raise translate(exc, path, "open") from None
        raise
    return conn


def _create(conn: sqlite3.Connection, path: Path) -> None:
    conn.execute("BEGIN IMMEDIATE")
    try:
        # Another process may have created it between our look and our lock.
        if conn.execute("PRAGMA user_version").fetchone()[0] == 0:
            tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            if tables:
                raise StoreUnavailableError(f"{path} is a SQLite database but not a "
                                            "provgraph store; move it away")
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")
        raise
    # WAL is a property of the file: set once, outside a transaction.
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if str(mode).lower() != "wal":
        log.warning("embedded store %s: journal mode is %s, not wal", path, mode)


class WriterLock:
    """``writer.lock`` of one directory: an exclusive ``flock``, taken without waiting."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / LOCK_NAME
        self.directory = directory
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> None:
        if self._fd is not None:
            return
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise StoreUnavailableError(f"cannot open {self.path}: {exc.strerror} (is the "
                                        "directory read-only?)") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise StoreUnavailableError(
                    f"another process is writing to the embedded store {self.directory} "
                    f"(it holds {self.path})") from None
            raise StoreUnavailableError(f"cannot lock {self.path}: {exc}") from None
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            try:
                fcntl.flock(fd, fcntl.LOCK_UN)
            finally:
                os.close(fd)

    def forget_after_fork(self) -> None:
        """In a forked child: close the inherited descriptor without unlocking (the lock
        belongs to the parent's open file description)."""
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None


@contextlib.contextmanager
def transaction(conn: sqlite3.Connection, path: Path, doing: str, immediate: bool = True
                ) -> Iterator[sqlite3.Connection]:
    """One transaction: committed when the block ends, rolled back when it raises; SQLite
    failures become one line naming the file (:func:`translate`)."""
    try:
        conn.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")
    except sqlite3.Error as exc:
        raise translate(exc, path, doing) from None
    try:
        yield conn
        conn.execute("COMMIT")
    except BaseException as exc:
        if conn.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
        if isinstance(exc, sqlite3.Error):
            raise translate(exc, path, doing) from None
        raise
