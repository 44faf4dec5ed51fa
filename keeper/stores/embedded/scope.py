"""A workflow's export scope kept beside the database: a table of ``(label, id)`` in a
private temporary database, filled by a few ``INSERT ... SELECT`` statements, read in
keyset pages.

Why a table: an export of a 100k-task workflow must not hold its 300k ids in Python
(:mod:`keeper.stores.scope`). Why not ``CREATE TEMP TABLE``: a writer's connection keeps
its temporary database in memory (``temp_store = MEMORY``, set on a store's first write),
so the ids would only move from Python's heap to SQLite's. An attached ``''`` database is
a private temporary file with its own small page cache: the process stays flat. It exists
on this store's connection only and is detached (deleted) when the export closes its
scope, or the connection closes.
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Callable, Sequence
from typing import Any

from keeper.stores.embedded.write import chunks, marks
from prov_model.vocab import (
    ACTIVITY,
    AGENT,
    ENTITY,
    USED,
    WAS_ASSOCIATED_WITH,
    WAS_GENERATED_BY,
    WAS_PART_OF,
)

_NAMES = itertools.count()

# {s}: the attached database's name, {t} its table (made here, never input). Labels and
# types are bound parameters.
_CREATE = ("ATTACH DATABASE '' AS {s}",
           "CREATE TABLE {t} (label TEXT NOT NULL, id TEXT NOT NULL, "
           "PRIMARY KEY (label, id)) WITHOUT ROWID",
           "CREATE INDEX {s}.scope_id ON scope(id)")
_FILL = (
    # the root and everything part of it, directly or not (edges_in: dst, type, src)
    ("WITH RECURSIVE closure(id) AS (SELECT ? UNION SELECT e.src FROM edges e "
     "JOIN closure c ON e.dst = c.id AND e.type = ?) "
     "INSERT OR IGNORE INTO {t}(label, id) SELECT ?, id FROM closure", (WAS_PART_OF, ACTIVITY)),
    # the values its activities used and generated
    ("INSERT OR IGNORE INTO {t}(label, id) SELECT ?, e.dst FROM {t} s "
     "JOIN edges e ON e.src = s.id AND e.type = ? WHERE s.label = ?", (ENTITY, USED, ACTIVITY)),
    ("INSERT OR IGNORE INTO {t}(label, id) SELECT ?, e.src FROM {t} s "
     "JOIN edges e ON e.dst = s.id AND e.type = ? WHERE s.label = ?",
     (ENTITY, WAS_GENERATED_BY, ACTIVITY)),
    # the plans of their associations (a prop of the edge), then their agents
    ("INSERT OR IGNORE INTO {t}(label, id) SELECT ?, json_extract(CAST(e.props AS TEXT), "
     "'$.plan') FROM {t} s JOIN edges e ON e.src = s.id AND e.type = ? WHERE s.label = ? "
     "AND e.props IS NOT NULL AND json_type(CAST(e.props AS TEXT), '$.plan') = 'text'",
     (ENTITY, WAS_ASSOCIATED_WITH, ACTIVITY)),
    ("INSERT OR IGNORE INTO {t}(label, id) SELECT ?, e.dst FROM {t} s "
     "JOIN edges e ON e.src = s.id AND e.type = ? WHERE s.label = ?",
     (AGENT, WAS_ASSOCIATED_WITH, ACTIVITY)),
)

Read = Callable[[Callable[[sqlite3.Connection], Any]], Any]


class TableScope:
    """A :class:`keeper.stores.scope.ScopeIds` in a temporary table (see the module)."""

    def __init__(self, read: Read, schema: str) -> None:
        self._read = read
        self._schema = schema
        self._table = f"{schema}.scope"
        self._closed = False

    @classmethod
    def part_of(cls, read: Read, root_id: str) -> TableScope | None:
        """The scope of ``root_id`` (``Store.part_of_scope``), or ``None`` without it."""
        schema = f"export_scope_{next(_NAMES)}"
        table = f"{schema}.scope"

        def fill(conn: sqlite3.Connection) -> bool:
            if conn.execute("SELECT 1 FROM nodes WHERE id = ?", (root_id,)).fetchone() is None:
                return False
            for sql in _CREATE:
                conn.execute(sql.format(s=schema, t=table))
            try:
                conn.execute(_FILL[0][0].format(t=table), (root_id, *_FILL[0][1]))
                for sql, params in _FILL[1:]:
                    conn.execute(sql.format(t=table), params)
            except BaseException:
                conn.execute(f"DETACH DATABASE {schema}")
                raise
            return True

        return cls(read, schema) if read(fill) else None

    def page(self, label: str, after: str, limit: int) -> list[str]:
        sql = (f"SELECT id FROM {self._table} WHERE label = ? AND id > ? "
               "ORDER BY id LIMIT ?")
        rows = self._read(lambda c: c.execute(sql, (label, after, limit)).fetchall())
        return [node_id for (node_id,) in rows]

    def labels_of(self, ids: Sequence[str]) -> dict[str, set[str]]:
        def read(conn: sqlite3.Connection) -> dict[str, set[str]]:
            found: dict[str, set[str]] = {}
            for part in chunks(list(ids)):
                for node_id, label in conn.execute(
                        f"SELECT id, label FROM {self._table} WHERE id IN "
                        f"({marks(len(part))})", part):
                    found.setdefault(node_id, set()).add(label)
            return found

        return self._read(read)

    def count(self) -> int:
        return int(self._read(lambda c: c.execute(
            f"SELECT count(*) FROM {self._table}").fetchone()[0]))

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._read(lambda c: c.execute(f"DETACH DATABASE {self._schema}"))


__all__ = ["TableScope"]
