"""The records of a document of any size, collected with bounded memory, then handed to a
store in chunks.

:class:`prov_model.imported.ImportBuilder` holds a whole document: every element and every
relation, then the delta it builds, a second copy. A document of hundreds of megabytes
took many times its size. :class:`ImportSpool` gives the same graph with memory bounded by
its chunk size: an :class:`ImportBuilder` collects :data:`RECORDS_PER_CHUNK` records, then
what it holds is spilled to a private temporary SQLite database on disk (deleted when the
spool closes) and a fresh builder goes on. An element described in several chunks is
several parts, merged at the end in the order they were read
(:meth:`prov_model.imported.Pending.absorb`): the node is the one a whole read builds,
whatever the chunk size. A relation is kept once per ``rid``, the first one read.

Nothing is written to a store while the document is read: a record that is not valid,
wherever it is in the file, stops the import before the store is touched.
:meth:`ImportSpool.deltas` then gives namespaces, nodes (by id) and relations, in that order,
:data:`ITEMS_PER_DELTA` at a time, for the store to write in one transaction
(``Store.import_chunks``): every endpoint of a relation is written before any relation.
"""

from __future__ import annotations

import logging
import pickle
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final

from prov_model.delta import Edge, GraphDelta, Node
from prov_model.imported import ImportBuilder, Pending, element_node, namespace_node
from prov_model.prov_records import Record

log = logging.getLogger(__name__)

RECORDS_PER_CHUNK: Final = 20_000  # records collected in memory before a spill
ITEMS_PER_DELTA: Final = 5_000  # nodes or relations in each delta handed to the store
_CACHE_KIB: Final = 32 * 1024  # the spool's SQLite page cache; the rest stays on disk
_PICKLE: Final = pickle.HIGHEST_PROTOCOL

_SCHEMA: Final = (
    # parts of elements: the graph id (UTF-8 bytes: byte order is code point order, the
    # order ImportBuilder sorts ids in; surrogates kept), the chunk it was read in
    "CREATE TABLE parts (key BLOB NOT NULL, seq INTEGER NOT NULL, body BLOB NOT NULL, "
    "PRIMARY KEY (key, seq)) WITHOUT ROWID",
    "CREATE TABLE relations (seq INTEGER PRIMARY KEY, rid TEXT NOT NULL UNIQUE, "
    "body BLOB NOT NULL)",
    "CREATE TABLE namespaces (uri BLOB PRIMARY KEY, prefix BLOB NOT NULL) WITHOUT ROWID",
)


def _key(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def _text(key: bytes) -> str:
    return key.decode("utf-8", "surrogatepass")


@dataclass
class SpoolCounts:
    """What a finished spool holds: records read, element nodes, relations, namespaces."""

    records: int = 0
    nodes: int = 0
    edges: int = 0
    namespaces: int = 0

    @property
    def items(self) -> int:
        return self.nodes + self.edges + self.namespaces


class ImportSpool:
    """:class:`ImportBuilder`'s ``namespace`` / ``add``, with memory bounded by ``chunk``
    records; then :meth:`finish` and :meth:`deltas`. Use as a context manager (the spool
    file is deleted on close)."""

    def __init__(self, chunk: int = RECORDS_PER_CHUNK, delta_size: int = ITEMS_PER_DELTA
                 ) -> None:
        self.chunk = max(1, chunk)
        self.delta_size = max(1, delta_size)
        # "" is a private temporary database on disk, deleted when the connection closes.
        self._db = sqlite3.connect("", isolation_level=None)
        for pragma in ("journal_mode = OFF", "synchronous = OFF",
                       f"cache_size = -{_CACHE_KIB}", "temp_store = FILE"):
            self._db.execute(f"PRAGMA {pragma}")
        for statement in _SCHEMA:
            self._db.execute(statement)
        self._db.execute("BEGIN")  # one transaction for the spool's life: no syncs
        self._builder = ImportBuilder()
        self._seq = 0
        self._relations = 0
        self.records = 0  # records read, the ones of the current chunk included
        self.spills = 0

    def __enter__(self) -> ImportSpool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    # --- reading: ImportBuilder's interface ----------------------------------------------

    def namespace(self, prefix: str, uri: str) -> None:
        self._builder.namespace(prefix, uri)

    def add(self, record: Record) -> None:
        self._builder.add(record)
        self.records += 1
        if self._builder.records >= self.chunk:
            self._spill()

    def _spill(self) -> None:
        """Write what the current builder holds to the spool and start a fresh one."""
        builder, seq = self._builder, self._seq
        if not builder.records and not builder.namespaces:
            return
        self._db.executemany(
            "INSERT OR IGNORE INTO namespaces(uri, prefix) VALUES (?, ?)",
            [(_key(uri), _key(prefix)) for uri, prefix in builder.namespaces.items()])
        self._db.executemany(
            "INSERT INTO parts(key, seq, body) VALUES (?, ?, ?)",
            [(_key(key), seq, pickle.dumps(_fields(pending), _PICKLE))
             for key, pending in builder.pending().items()])
        rows = [(rid, pickle.dumps((e.type, e.src, e.dst, e.props), _PICKLE))
                for rid, e in builder.relations().items()]
        before = self._db.total_changes
        self._db.executemany("INSERT OR IGNORE INTO relations(rid, body) VALUES (?, ?)", rows)
        self._relations += self._db.total_changes - before
        self._seq += 1
        self.spills += 1
        self._builder = ImportBuilder()

    def finish(self) -> SpoolCounts:
        """Spill the last chunk; what the spool holds."""
        self._spill()
        [(nodes,)] = self._db.execute("SELECT count(DISTINCT key) FROM parts").fetchall()
        [(namespaces,)] = self._db.execute("SELECT count(*) FROM namespaces").fetchall()
        log.debug("import spool: %d records in %d chunk(s)", self.records, self.spills)
        return SpoolCounts(self.records, int(nodes), self._relations, int(namespaces))

    # --- writing: deltas for the store ----------------------------------------------------

    def deltas(self) -> Iterator[GraphDelta]:
        """The document's graph, ``delta_size`` nodes or relations at a time: namespaces, then
        nodes sorted by id, then relations in the order first read (the order and content
        of :meth:`ImportBuilder.build`'s delta)."""
        size = self.delta_size
        nodes: list[Node] = []
        for uri, prefix in self._db.execute(
                "SELECT uri, prefix FROM namespaces ORDER BY uri"):
            nodes.append(namespace_node(_text(uri), _text(prefix)))
            if len(nodes) >= size:
                yield GraphDelta(nodes, [])
                nodes = []
        for node in self._nodes():
            nodes.append(node)
            if len(nodes) >= size:
                yield GraphDelta(nodes, [])
                nodes = []
        if nodes:
            yield GraphDelta(nodes, [])
        edges: list[Edge] = []
        for (body,) in self._db.execute("SELECT body FROM relations ORDER BY seq"):
            edges.append(Edge(*pickle.loads(body)))
            if len(edges) >= size:
                yield GraphDelta([], edges)
                edges = []
        if edges:
            yield GraphDelta([], edges)

    def _nodes(self) -> Iterator[Node]:
        key: bytes | None = None
        merged: Pending | None = None
        for part_key, body in self._db.execute(
                "SELECT key, body FROM parts ORDER BY key, seq"):
            part = _pending(pickle.loads(body))
            if part_key == key and merged is not None:
                merged.absorb(part)
                continue
            if merged is not None and key is not None:
                yield element_node(_text(key), merged)
            key, merged = part_key, part
        if merged is not None and key is not None:
            yield element_node(_text(key), merged)


def _fields(pending: Pending) -> tuple[Any, ...]:
    return (pending.labels, pending.declared, pending.attrs, pending.args, pending.iri,
            pending.bundle, pending.referenced_as)


def _pending(fields: tuple[Any, ...]) -> Pending:
    labels, declared, attrs, args, iri, bundle, referenced_as = fields
    return Pending(labels, declared, attrs, args, iri, bundle, referenced_as)
