"""The embedded store: the PROV graph in one SQLite database; no server.

The default store for single-machine use. ``EmbeddedStore`` answers the same queries with
the same record shapes as the Neo4j store (``keeper/stores/base.py``).

* Files: ``<settings.embedded_store_dir>/graph.db`` (WAL) and ``writer.lock``
  (:mod:`keeper.stores.embedded.db`). Opening reads nothing but the schema version: no
  replay, no graph in memory; every question reads what it needs through the indexes.
* Writes: one ``write()`` is one SQLite transaction (all of the delta or nothing),
  committed with ``synchronous=FULL`` before ``write()`` returns; a process killed
  mid-write leaves the database as before that write.
* One writer process: the first ``write()`` (or ``clear``) takes an exclusive ``flock`` on
  ``writer.lock`` without waiting; when another process holds it, the write raises
  :class:`StoreUnavailableError` (the keeper retries with backoff). ``close()`` gives it
  back. Any number of processes read at the same time, each seeing every committed write.
* One instance per directory in a process (:meth:`EmbeddedStore.open`): the in-process
  keeper and ``Flowcept.db`` share one connection. ``close()`` closes it, but the instance
  stays usable (it reopens on next use); :meth:`EmbeddedStore.evict` forgets instances.
* Thread-safe: one re-entrant lock around every use of the connection.
* A directory holding a ``graph.log`` of the earlier (networkx + log) store is converted
  on first open (:mod:`keeper.stores.embedded.legacy`).
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

import orjson

from keeper.stores.base import (
    EdgeRecord,
    NodeRecord,
    Store,
    check_direction,
    check_id,
    check_label,
    check_limit,
    split_where,
)
from keeper.stores.embedded import db as sqlite_db
from keeper.stores.embedded import legacy
from keeper.stores.embedded.lineage import EmbeddedLineage
from keeper.stores.embedded.prov import EmbeddedProv
from keeper.stores.embedded.query import first, matches, type_filter
from keeper.stores.embedded.write import FLAT, Batch, chunks, marks
from provgraph.core.errors import StoreError, StoreUnavailableError

if TYPE_CHECKING:
    from prov_model import GraphDelta
    from provgraph.core.config import Settings

log = logging.getLogger(__name__)

ITER_CHUNK = 1000  # rows read per page in iter_nodes / iter_edges
T = TypeVar("T")
_ABANDONED: list[sqlite3.Connection] = []  # a parent's connections, never used in a child


def node_record(node_id: str, labels: str, props: bytes | str) -> NodeRecord:
    return {"id": node_id, "labels": orjson.loads(labels), "props": orjson.loads(props)}


def edge_record(src: str, edge_type: str, dst: str, props: bytes | str | None) -> EdgeRecord:
    return {"type": edge_type, "src": src, "dst": dst,
            "props": orjson.loads(props) if props else {}}


class EmbeddedStore(EmbeddedProv, EmbeddedLineage, Store):
    kind = "embedded"

    _instances: ClassVar[dict[str, EmbeddedStore]] = {}
    _instances_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        """Open (creating if needed) the store in ``directory``. Prefer :meth:`open`,
        which returns the process's instance for that directory."""
        self.directory = Path(directory).expanduser().resolve()
        self.path = self.directory / sqlite_db.DB_NAME
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        self._write_cache: sqlite3.Connection | None = None  # the connection that wrote
        self._writer = sqlite_db.WriterLock(self.directory)
        with self._lock:
            self._connection()

    @classmethod
    def from_settings(cls, settings: Settings) -> EmbeddedStore:
        return cls.open(settings.embedded_store_dir)

    @classmethod
    def open(cls, directory: str | os.PathLike[str]) -> EmbeddedStore:
        """The instance of this process for ``directory`` (created on first use)."""
        key = str(Path(directory).expanduser().resolve())
        with cls._instances_lock:
            store = cls._instances.get(key)
            if store is None:
                store = cls._instances[key] = cls(key)
            return store

    @classmethod
    def evict(cls, directory: str | os.PathLike[str] | None = None) -> None:
        """Close and forget the cached instance of ``directory`` (every one when ``None``)."""
        with cls._instances_lock:
            if directory is None:
                stores = list(cls._instances.values())
                cls._instances.clear()
            else:
                found = cls._instances.pop(str(Path(directory).expanduser().resolve()), None)
                stores = [found] if found is not None else []
        for store in stores:
            store.close()

    # --- the connection ---------------------------------------------------------------------

    def _connection(self) -> sqlite3.Connection:
        """The open connection (opened, and an old log converted, on first use)."""
        if self._conn is None:
            try:
                self.directory.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreUnavailableError(
                    f"cannot create {self.directory}: {exc.strerror}") from None
            if not self.path.exists() and (self.directory / legacy.LOG_NAME).exists():
                legacy.convert(self.directory, self.path, self._writer)
            self._conn = sqlite_db.connect(self.path)
        return self._conn

    def _read(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """``work(conn)`` under the lock; SQLite failures as one line naming the file."""
        with self._lock:
            conn = self._connection()
            try:
                return work(conn)
            except sqlite3.Error as exc:
                raise sqlite_db.translate(exc, self.path, "read") from None

    def _rows(self, sql: str, params: list[Any]) -> list[Any]:
        return self._read(lambda conn: conn.execute(sql, params).fetchall())

    def _write(self, work: Callable[[Batch], None], doing: str, check: bool = True) -> None:
        with self._lock:
            conn = self._connection()
            self._writer.acquire()
            if self._write_cache is not conn:  # this process writes: a writer's page cache
                conn.execute(f"PRAGMA cache_size = -{sqlite_db.WRITE_CACHE_KIB}")
                conn.execute("PRAGMA temp_store = MEMORY")
                self._write_cache = conn
            try:
                with sqlite_db.transaction(conn, self.path, doing):
                    batch = Batch(conn, check=check)
                    work(batch)
                    batch.finish()
            except (StoreError, KeyboardInterrupt, SystemExit):
                raise
            except Exception as exc:
                raise StoreError(f"embedded store {doing} failed: {exc!r}") from exc

    # --- writing ----------------------------------------------------------------------------

    def write(self, delta: GraphDelta) -> None:
        if not delta:
            return

        def work(batch: Batch) -> None:
            batch.nodes(delta.nodes)
            batch.edges((e.type, e.src, e.dst, e.props) for e in delta.edges)
            batch.value_flow(delta)

        self._write(work, "write to")

    def clear(self) -> None:
        def work(batch: Batch) -> None:
            for table in ("nodes", "edges", "label_sets", "tallies"):
                batch.conn.execute(f"DELETE FROM {table}")
            batch.changed += 1

        self._write(work, "clear")

    # --- reading ----------------------------------------------------------------------------

    def get_node(self, node_id: str) -> NodeRecord | None:
        check_id(node_id)
        row = self._read(lambda c: c.execute(
            "SELECT id, labels, props FROM nodes WHERE id = ?", (node_id,)).fetchone())
        return None if row is None else node_record(*row)

    def label_sets(self, label: str) -> list[str]:
        """The stored label sets (JSON text) that hold ``label``."""
        rows = self._read(lambda c: c.execute("SELECT labels FROM label_sets").fetchall())
        return [text for (text,) in rows if label in orjson.loads(text)]

    def find_nodes(
        self, label: str, where: Mapping[str, Any] | None = None, limit: int | None = None
    ) -> list[NodeRecord]:
        check_label(label)
        limit = check_limit(limit)
        conditions = split_where(where)
        equal = conditions[0]
        sets = self.label_sets(label)
        if not sets or limit == 0:
            return []
        sql = (f"SELECT id, labels, props FROM nodes WHERE labels IN ({marks(len(sets))})")
        params: list[Any] = list(sets)
        if isinstance(equal.get("id"), str):
            sql += " AND id = ?"
            params.append(equal["id"])
        else:
            column = next((k for k in FLAT if isinstance(equal.get(k), str)), None)
            if column is not None:
                sql += f" AND {column} = ?"
                params.append(equal[column])

        def scan(conn: sqlite3.Connection) -> list[tuple[str, dict[str, Any], str]]:
            hits = []
            for node_id, labels, props in conn.execute(sql, params):
                loaded = orjson.loads(props)
                if matches(node_id, loaded, conditions):
                    hits.append((node_id, loaded, labels))
            return hits

        found = self._read(scan)
        labels_of = {node_id: labels for node_id, _, labels in found}
        pairs = [(node_id, props) for node_id, props, _ in found]
        return [{"id": node_id, "labels": orjson.loads(labels_of[node_id]), "props": props}
                for node_id, props in first(pairs, limit)]

    def edges(
        self, node_id: str, direction: str = "both", types: tuple[str, ...] | None = None
    ) -> list[EdgeRecord]:
        check_id(node_id)
        check_direction(direction)
        type_filter(types)
        where = "" if types is None else f" AND type IN ({marks(len(types))})"
        extra = list(types or ())

        def read(conn: sqlite3.Connection) -> list[EdgeRecord]:
            records: list[EdgeRecord] = []
            if direction != "in":
                records.extend(edge_record(*row) for row in conn.execute(
                    f"SELECT src, type, dst, props FROM edges WHERE src = ?{where} "
                    "ORDER BY type, dst, key", [node_id, *extra]))
            if direction != "out":
                skip = " AND src <> dst" if direction == "both" else ""
                records.extend(edge_record(*row) for row in conn.execute(
                    f"SELECT src, type, dst, props FROM edges WHERE dst = ?{where}{skip} "
                    "ORDER BY type, src, key", [node_id, *extra]))
            return records

        records = self._read(read)
        records.sort(key=lambda r: (r["type"], r["src"], r["dst"]))  # as the Neo4j store
        return records

    def counts(self) -> dict[str, dict[str, int]]:
        rows = self._read(lambda c: c.execute(
            "SELECT kind, name, n FROM tallies WHERE n > 0 ORDER BY kind, name").fetchall())
        return {"nodes": {name: n for kind, name, n in rows if kind == "node"},
                "edges": {name: n for kind, name, n in rows if kind == "edge"}}

    def iter_nodes(self, labels: tuple[str, ...] | None = None) -> Iterator[NodeRecord]:
        """Every node (having any of ``labels``), a page of :data:`ITER_CHUNK` at a time:
        memory does not grow with the store."""
        for label in labels or ():
            check_label(label)
        sets: list[str] | None = None
        if labels is not None:
            sets = sorted({text for label in labels for text in self.label_sets(label)})
            if not sets:
                return
        where = "" if sets is None else f" AND labels IN ({marks(len(sets))})"
        last = 0
        while True:
            rows = self._rows(f"SELECT n, id, labels, props FROM nodes WHERE n > ?{where} "
                              "ORDER BY n LIMIT ?", [last, *(sets or ()), ITER_CHUNK])
            if not rows:
                return
            last = rows[-1][0]
            yield from (node_record(*row[1:]) for row in rows)

    def iter_edges(self, types: tuple[str, ...] | None = None) -> Iterator[EdgeRecord]:
        """Every edge (of ``types``), paged by primary key like :meth:`iter_nodes`."""
        type_filter(types)
        where = "" if types is None else f" AND type IN ({marks(len(types))})"
        last: tuple[str, str, str, str] = ("", "", "", "")
        while True:
            rows = self._rows("SELECT src, type, dst, key, props FROM edges "
                              f"WHERE (src, type, dst, key) > (?, ?, ?, ?){where} "
                              "ORDER BY src, type, dst, key LIMIT ?",
                              [*last, *(types or ()), ITER_CHUNK])
            if not rows:
                return
            last = (rows[-1][0], rows[-1][1], rows[-1][2], rows[-1][3])
            yield from (edge_record(src, t, dst, props) for src, t, dst, _, props in rows)

    def revision(self) -> int:
        """How many writes changed something since the store was created (a write that
        changes nothing leaves it as it was)."""
        return int(self._read(lambda c: c.execute(
            "SELECT value FROM meta WHERE key = 'revision'").fetchone()[0]))

    def nodes_chunked(self, ids: list[str]) -> dict[str, NodeRecord]:
        """The node records of ``ids`` that exist, by id."""
        def read(conn: sqlite3.Connection) -> dict[str, NodeRecord]:
            found: dict[str, NodeRecord] = {}
            for part in chunks(list(dict.fromkeys(ids))):
                for row in conn.execute("SELECT id, labels, props FROM nodes WHERE id IN "
                                        f"({marks(len(part))})", part):
                    found[row[0]] = node_record(*row)
            return found

        return self._read(read)

    def backup(self, target: str | os.PathLike[str]) -> Path:
        """A consistent copy of the database at ``target`` (a file, or a directory to put
        ``graph.db`` in), taken with SQLite's online backup API while writers go on; written
        beside the target first and renamed into place, so a copy cut short leaves nothing."""
        out = Path(target).expanduser().resolve()
        if out.is_dir():
            out = out / sqlite_db.DB_NAME
        if out == self.path:
            raise StoreError(f"{out} is the store itself: back it up somewhere else")
        tmp = out.with_name(out.name + ".partial")
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            copy = sqlite3.connect(tmp)
        except (OSError, sqlite3.Error) as exc:
            raise sqlite_db.translate(exc, tmp, "create") from None
        try:
            self._read(lambda conn: conn.backup(copy, pages=4096))
            copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
            copy.close()
            os.replace(tmp, out)
        except BaseException as exc:
            copy.close()
            with contextlib.suppress(OSError):
                tmp.unlink()
            if isinstance(exc, (OSError, sqlite3.Error)):
                raise sqlite_db.translate(exc, out, "back up to") from None
            raise
        return out

    # --- lifecycle --------------------------------------------------------------------------

    def alive(self) -> bool:
        try:
            self._read(lambda c: c.execute("SELECT 1 FROM meta LIMIT 1").fetchone())
        except StoreError:
            return False
        return True

    def close(self) -> None:
        """Close the database and give the writer lock back; the next use reopens it.
        Idempotent."""
        with self._lock:
            conn, self._conn = self._conn, None
            if conn is not None:
                try:
                    conn.close()
                except sqlite3.Error as exc:  # pragma: no cover - closing never fails here
                    log.warning("closing %s: %s", self.path, exc)
            self._writer.release()

    @property
    def is_writer(self) -> bool:
        """Whether this instance holds the writer lock now."""
        return self._writer.held

    def db_size(self) -> int:
        """Bytes of ``graph.db`` and its write-ahead log now."""
        total = 0
        for name in (self.path, self.path.with_name(self.path.name + "-wal")):
            with contextlib.suppress(OSError):
                total += os.stat(name).st_size
        return total

    def __repr__(self) -> str:
        role = "writer" if self._writer.held else "reader"
        return f"EmbeddedStore({str(self.directory)!r}, {role})"


def _after_fork_in_child() -> None:
    """A forked child must not use its parent's SQLite connections or writer lock."""
    EmbeddedStore._instances_lock = threading.Lock()
    for store in EmbeddedStore._instances.values():
        store._lock = threading.RLock()
        if store._conn is not None:
            _ABANDONED.append(store._conn)  # closing it here could disturb the parent
            store._conn = None
        store._writer.forget_after_fork()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
