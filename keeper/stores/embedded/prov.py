"""The embedded store's side of PROV documents: import as one transaction, and the reads
by id that scoped exports use (``Store.import_graph`` and the methods after it in
:mod:`keeper.stores.base`), each one query per 500 ids."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import orjson

from keeper.stores.base import EdgeRecord, NodeRecord, check_label
from keeper.stores.embedded.query import type_filter
from keeper.stores.embedded.scope import TableScope
from keeper.stores.embedded.write import Batch, chunks, marks
from prov_model.vocab import NAMESPACE
from provgraph.core.errors import StoreError

if TYPE_CHECKING:
    from prov_model import GraphDelta


class EmbeddedProv:
    """Mixed into :class:`keeper.stores.embedded.EmbeddedStore` (``_read``, ``_write``)."""

    _read: Callable[..., Any]
    _write: Callable[..., None]
    label_sets: Callable[[str], list[str]]
    nodes_chunked: Callable[[list[str]], dict[str, Any]]

    def import_graph(self, delta: GraphDelta) -> None:
        """One transaction for an imported PROV document (see ``Store.import_graph``)."""
        if not delta:
            return

        def work(batch: Batch) -> None:
            batch.nodes(delta.nodes, importing=True)
            batch.edges(((e.type, e.src, e.dst, e.props) for e in delta.edges), strict=True)

        self._write(work, "import into")

    def namespaces(self) -> list[tuple[str, str]]:
        sets = self.label_sets(NAMESPACE)
        if not sets:
            return []
        rows = self._read(lambda c: c.execute(
            f"SELECT id, props FROM nodes WHERE labels IN ({marks(len(sets))})", sets
        ).fetchall())
        pairs = [(str(orjson.loads(props).get("prefix", "")), uri) for uri, props in rows]
        return sorted(pairs, key=lambda pair: pair[1])

    def label_ids(self, label: str) -> list[str]:
        check_label(label)
        sets = self.label_sets(label)
        if not sets:
            return []
        rows = self._read(lambda c: c.execute(
            f"SELECT id FROM nodes WHERE labels IN ({marks(len(sets))}) ORDER BY id", sets
        ).fetchall())
        return [node_id for (node_id,) in rows]

    def page_label_ids(self, label: str, after: str, limit: int) -> list[str]:
        """One keyset page of :meth:`label_ids` (the ``id`` index gives the order)."""
        check_label(label)
        sets = self.label_sets(label)
        if not sets:
            return []
        rows = self._read(lambda c: c.execute(
            # "+labels": not the labels index (then a sort of every match for each page)
            f"SELECT id FROM nodes WHERE id > ? AND +labels IN ({marks(len(sets))}) "
            "ORDER BY id LIMIT ?", [after, *sets, limit]).fetchall())
        return [node_id for (node_id,) in rows]

    def part_of_scope(self, root_id: str) -> TableScope | None:
        """A workflow's or campaign's export scope in a temporary database
        (:mod:`keeper.stores.embedded.scope`): flat memory whatever its size."""
        return TableScope.part_of(self._read, root_id)

    def nodes_by_ids(self, ids: Sequence[str]) -> list[NodeRecord]:
        found = self.nodes_chunked(list(ids))
        return [found[i] for i in ids if i in found]

    def _edges_of(self, ids: Sequence[str], types: tuple[str, ...] | None, near: str
                  ) -> dict[str, list[tuple[Any, ...]]]:
        """``near`` id -> its edges ``(type, src, dst, key, props)`` sorted by type, other
        end and key (``Store.out_edges_of`` order)."""
        type_filter(types)
        far = "dst" if near == "src" else "src"
        where = "" if types is None else f" AND type IN ({marks(len(types))})"

        def read(conn: sqlite3.Connection) -> dict[str, list[tuple[Any, ...]]]:
            found: dict[str, list[tuple[Any, ...]]] = {}
            for part in chunks(list(dict.fromkeys(ids))):
                for row in conn.execute(
                        f"SELECT {near}, type, src, dst, key, props FROM edges "
                        f"WHERE {near} IN ({marks(len(part))}){where} "
                        f"ORDER BY {near}, type, {far}, key", [*part, *(types or ())]):
                    found.setdefault(row[0], []).append(row[1:])
            return found

        return self._read(read)

    @staticmethod
    def _records(ids: Sequence[str], found: dict[str, list[tuple[Any, ...]]]
                 ) -> list[EdgeRecord]:
        return [{"type": t, "src": src, "dst": dst,
                 "props": orjson.loads(props) if props else {}}
                for node_id in ids for t, src, dst, _, props in found.get(node_id, ())]

    def out_edges_of(self, ids: Sequence[str], types: tuple[str, ...] | None = None
                     ) -> list[EdgeRecord]:
        return self._records(ids, self._edges_of(ids, types, "src"))

    def in_edges_of(self, ids: Sequence[str], types: tuple[str, ...] | None = None
                    ) -> list[EdgeRecord]:
        return self._records(ids, self._edges_of(ids, types, "dst"))

    def out_edge_types(self, ids: Sequence[str]) -> dict[str, set[str]]:
        def read(conn: sqlite3.Connection) -> dict[str, set[str]]:
            out: dict[str, set[str]] = {}
            for part in chunks(list(dict.fromkeys(ids))):
                for src, edge_type in conn.execute(
                        f"SELECT DISTINCT src, type FROM edges WHERE src IN "
                        f"({marks(len(part))})", part):
                    out.setdefault(edge_type, set()).add(src)
            return out

        return self._read(read)

    def edge_ends(self, ids: Sequence[str], types: tuple[str, ...] | None = None,
                  direction: str = "out") -> list[tuple[str, str, str]]:
        if direction not in ("out", "in"):
            raise StoreError(f"direction must be 'out' or 'in', got {direction!r}")
        found = self._edges_of(ids, types, "src" if direction == "out" else "dst")
        return [(t, src, dst) for node_id in ids
                for t, src, dst, _, _ in found.get(node_id, ())]
