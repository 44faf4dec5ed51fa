"""The Neo4j store's side of PROV documents: import in one transaction, and the reads by id
that scoped exports use (``Store.import_graph`` and the methods after it in
:mod:`keeper.stores.base`). Every statement is a file of ``cypher/prov/``."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import neo4j

import cypher
from keeper.stores.base import EdgeRecord, NodeRecord, check_label
from keeper.stores.neo4j.reads import node_record
from keeper.stores.neo4j.rows import chunked
from prov_model import vocab
from provgraph.core.errors import StoreError

if TYPE_CHECKING:
    from prov_model import GraphDelta

Row = dict[str, Any]
# relationship type -> its import statement: the one template filled from the vocabulary's
# whitelist of types (a static type per statement: see cypher/prov/import_edges.cypher)
IMPORT_EDGE_STATEMENTS = {edge_type: cypher.fill("prov/import_edges", edge_type)
                          for edge_type in (*vocab.EDGE_TYPES, *vocab.PROV_RELATION_TYPES)}
PAGE_IDS = {
    vocab.ACTIVITY: "prov/page_ids_activities",
    vocab.ENTITY: "prov/page_ids_entities",
    vocab.AGENT: "prov/page_ids_agents",
}
BY_IDS_CHUNK = 2000


class Neo4jProv:
    """Mixed into :class:`keeper.stores.neo4j.Neo4jStore`, over its primitives."""

    batch_size: int

    def _fetch_plain(self, name: str, params: dict[str, Any]) -> list[Row]:
        raise NotImplementedError  # every statement of cypher/prov/ returns plain values

    def _stream(self, name: str, params: dict[str, Any]) -> Iterator[Row]:
        raise NotImplementedError

    def _run_write(self, work: list[tuple[str, list[Row]]]) -> None:
        raise NotImplementedError

    def _run_write_many(self, work: Iterable[list[tuple[str, list[Row]]]]) -> None:
        raise NotImplementedError

    def import_graph(self, delta: GraphDelta) -> None:
        if not delta:
            return
        self._run_write(self._import_statements(delta))

    def import_chunks(self, deltas: Iterable[GraphDelta]) -> None:
        """ONE explicit transaction, the statements of one delta at a time (see
        ``Store.import_chunks``); the server holds the transaction's state until commit."""
        self._run_write_many(self._import_statements(delta) for delta in deltas if delta)

    def _import_statements(self, delta: GraphDelta) -> list[tuple[str, list[Row]]]:
        """``(statement text, rows)`` of ``delta``: namespaces, nodes, edges by type."""
        namespaces: list[Row] = []
        nodes: list[Row] = []
        for node in delta.nodes:
            row = {"id": node.id, "props": node.props}
            if vocab.NAMESPACE in node.labels:
                namespaces.append(row)
            else:
                nodes.append({**row, "labels": list(node.labels)})
        edges: dict[str, list[Row]] = {}
        for edge in delta.edges:
            if edge.type not in IMPORT_EDGE_STATEMENTS:
                raise StoreError(f"neo4j import: {edge.type!r} is not a PROV relationship type")
            edges.setdefault(edge.type, []).append(
                {"src": edge.src, "dst": edge.dst, "props": edge.props})
        work = [(cypher.load("prov/import_namespaces"), namespaces),
                (cypher.load("prov/import_nodes"), nodes),
                *((IMPORT_EDGE_STATEMENTS[edge_type], rows)
                  for edge_type, rows in sorted(edges.items()))]
        return [(text, chunk) for text, rows in work if rows
                for chunk in chunked(rows, self.batch_size)]

    def namespaces(self) -> list[tuple[str, str]]:
        return [(str(row["prefix"] or ""), row["id"])
                for row in self._fetch_plain("prov/namespaces", {})]

    def label_ids(self, label: str) -> list[str]:
        check_label(label)
        general = next(labels[0] for labels in vocab.ALL_LABEL_SETS if label in labels)
        ids: list[str] = []
        after = ""
        while True:
            [row] = self._fetch_plain(PAGE_IDS[general], {"after": after, "limit": 10_000})
            page: list[str] = row["ids"]
            ids.extend(page)
            if len(page) < 10_000:
                break
            after = max(page)
        ids.sort()
        if label == general:
            return ids
        # A specific label (Task, Plan...): keep the ids of nodes having it.
        keep = {n["id"] for start in range(0, len(ids), BY_IDS_CHUNK)
                for n in self.nodes_by_ids(ids[start:start + BY_IDS_CHUNK])
                if label in n["labels"]}
        return [i for i in ids if i in keep]

    def nodes_by_ids(self, ids: Sequence[str]) -> list[NodeRecord]:
        found: dict[str, NodeRecord] = {}
        for start in range(0, len(ids), BY_IDS_CHUNK):
            [row] = self._fetch_plain("prov/nodes_by_ids",
                                      {"ids": list(ids[start:start + BY_IDS_CHUNK])})
            for node_id, labels, props in zip(row["ids"], row["labels"], row["props"],
                                              strict=True):
                found[node_id] = node_record({"id": node_id, "labels": labels, "props": props})
        return [found[i] for i in ids if i in found]

    def out_edges_of(self, ids: Sequence[str], types: tuple[str, ...] | None = None
                     ) -> list[EdgeRecord]:
        return self._edges_of("prov/out_edges_of", ids, types, "src")

    def out_edge_types(self, ids: Sequence[str]) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for start in range(0, len(ids), BY_IDS_CHUNK):
            [row] = self._fetch_plain("prov/out_edge_types_of",
                                {"ids": list(ids[start:start + BY_IDS_CHUNK])})
            for node_id, types in row["rows"]:
                for edge_type in types:
                    out.setdefault(edge_type, set()).add(node_id)
        return out

    def in_edges_of(self, ids: Sequence[str], types: tuple[str, ...] | None = None
                    ) -> list[EdgeRecord]:
        return self._edges_of("prov/in_edges_of", ids, types, "dst")

    def edge_ends(self, ids: Sequence[str], types: tuple[str, ...] | None = None,
                  direction: str = "out") -> list[tuple[str, str, str]]:
        if direction not in ("out", "in"):
            raise StoreError(f"direction must be 'out' or 'in', got {direction!r}")
        rank = {node_id: i for i, node_id in enumerate(ids)}
        at = 0 if direction == "out" else 2
        rows: list[tuple[int, str, str, str]] = []
        type_list = None if types is None else list(types)
        for start in range(0, len(ids), BY_IDS_CHUNK):
            [row] = self._fetch_plain(f"prov/{direction}_edge_ends_of",
                                      {"ids": list(ids[start:start + BY_IDS_CHUNK]),
                                       "types": type_list})
            rows.extend((rank[item[at]], item[1], item[0], item[2]) for item in row["rows"])
        rows.sort()
        return [(edge_type, src, dst) for _, edge_type, src, dst in rows]

    def _edges_of(self, name: str, ids: Sequence[str], types: tuple[str, ...] | None,
                  end: str) -> list[EdgeRecord]:
        rank = {node_id: i for i, node_id in enumerate(ids)}
        at = 0 if end == "src" else 2
        # Sorted as (rank of the node, *edge_order, arrival): tuples sort far faster than a
        # key function per edge; the arrival index keeps it stable and never compares props.
        rows: list[tuple[Any, ...]] = []
        type_list = None if types is None else list(types)
        for start in range(0, len(ids), BY_IDS_CHUNK):
            [row] = self._fetch_plain(name, {"ids": list(ids[start:start + BY_IDS_CHUNK]),
                                             "types": type_list})
            for item in row["rows"]:
                props = item[3]
                key = props.get("rid") or props.get("role") or ""
                rows.append((rank[item[at]], item[1], item[0], item[2],
                             key if isinstance(key, str) else "", len(rows), props))
        rows.sort()
        return [{"type": edge_type, "src": src, "dst": dst, "props": props}
                for _, edge_type, src, dst, _, _, props in rows]


def run_work(session: neo4j.Session, work: list[tuple[str, list[Row]]]) -> None:
    """Run ``(statement text, rows)`` pairs in one managed write transaction."""

    def run_all(tx: neo4j.ManagedTransaction) -> None:
        for text, rows in work:
            tx.run(text, rows=rows).consume()

    session.execute_write(run_all)


def run_work_many(session: neo4j.Session, work: Iterable[list[tuple[str, list[Row]]]]) -> None:
    """Run the ``(statement text, rows)`` pairs of every item of ``work`` in ONE explicit
    write transaction, an item at a time; anything failing rolls it all back. Not retried
    as a managed transaction would be: ``work`` is read once."""
    tx = session.begin_transaction()
    try:
        for statements in work:
            for text, rows in statements:
                tx.run(text, rows=rows).consume()
        tx.commit()
    finally:
        if not tx.closed():
            tx.rollback()
