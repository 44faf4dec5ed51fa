"""The embedded store's side of PROV documents: import as one atomic write, and the reads
by id that scoped exports use (``Store.import_graph`` and the methods after it in
:mod:`keeper.stores.base`)."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from keeper.stores.base import EdgeRecord, NodeRecord, check_label, edge_order
from keeper.stores.embedded.graph import MemGraph, Undo
from keeper.stores.embedded.log import GraphLog, encode
from keeper.stores.embedded.query import type_filter
from prov_model.vocab import NAMESPACE
from provgraph.core.errors import StoreError

if TYPE_CHECKING:
    import threading

    from prov_model import GraphDelta


class EmbeddedProv:
    """Mixed into :class:`keeper.stores.embedded.EmbeddedStore`, over its graph and log."""

    _lock: threading.RLock
    _graph: MemGraph
    _log: GraphLog

    def _refresh(self) -> None:
        raise NotImplementedError

    def _become_writer(self) -> None:
        raise NotImplementedError

    def import_graph(self, delta: GraphDelta) -> None:
        """One atomic write of an imported PROV document (see ``Store.import_graph``): all
        of it is applied and logged, or memory is rolled back and nothing is logged."""
        if not delta:
            return
        with self._lock, no_gc():
            self._become_writer()
            graph = self._graph
            undo: Undo = []
            nodes: list[Any] = []
            edges: list[Any] = []
            try:
                for node in delta.nodes:
                    changed = graph.import_node(node.id, node.labels, node.props, undo)
                    if changed is not None:
                        nodes.append((node.id, *changed))
                for edge in delta.edges:
                    done = graph.merge_edge(edge.type, edge.src, edge.dst, edge.props, undo)
                    if done is None:
                        raise StoreError(f"{edge.type} edge {edge.src!r} -> {edge.dst!r}: "
                                         "an endpoint is not a node")
                    if done:
                        edges.append((edge.type, edge.src, edge.dst, edge.props))
                if nodes or edges:
                    self._log.append(encode(nodes, edges), len(nodes) + len(edges))
            except BaseException as exc:
                graph.rollback(undo)
                if isinstance(exc, Exception) and not isinstance(exc, StoreError):
                    raise StoreError(f"embedded store import failed: {exc!r}") from exc
                raise

    def namespaces(self) -> list[tuple[str, str]]:
        with self._lock:
            self._refresh()
            graph = self._graph
            pairs = [(str(graph.props(uri).get("prefix", "")), uri)
                     for uri in graph.node_ids(NAMESPACE)]
        return sorted(pairs, key=lambda pair: pair[1])

    def label_ids(self, label: str) -> list[str]:
        check_label(label)
        with self._lock:
            self._refresh()
            return sorted(self._graph.node_ids(label))

    def nodes_by_ids(self, ids: Sequence[str]) -> list[NodeRecord]:
        with self._lock:
            self._refresh()
            record = self._graph.node_record
            return [found for found in map(record, ids) if found is not None]

    def out_edges_of(self, ids: Sequence[str], types: tuple[str, ...] | None = None
                     ) -> list[EdgeRecord]:
        accept = type_filter(types)
        with self._lock:
            self._refresh()
            return out_edges_sorted(self._graph, ids, accept)

    def out_edge_types(self, ids: Sequence[str]) -> dict[str, set[str]]:
        with self._lock:
            self._refresh()
            return out_edge_types(self._graph, ids)

    def in_edges_of(self, ids: Sequence[str], types: tuple[str, ...] | None = None
                    ) -> list[EdgeRecord]:
        accept = type_filter(types)
        with self._lock:
            self._refresh()
            in_edges = self._graph.in_edges
            return [edge for node_id in ids
                    for edge in sorted(in_edges(node_id, accept), key=edge_order)]


    def edge_ends(self, ids: Sequence[str], types: tuple[str, ...] | None = None,
                  direction: str = "out") -> list[tuple[str, str, str]]:
        if direction not in ("out", "in"):
            raise StoreError(f"direction must be 'out' or 'in', got {direction!r}")
        accept = type_filter(types)
        forward = direction == "out"
        with self._lock:
            self._refresh()
            adjacency = self._graph.adjacency(forward)
            out: list[tuple[str, str, str]] = []
            for node_id in ids:
                nbrs = adjacency.get(node_id)
                if not nbrs:
                    continue
                found = [(edge_type, other) for other, keys in nbrs.items()
                         for edge_type, _ in keys if accept(edge_type)]
                if len(found) > 1:
                    found.sort()
                if forward:
                    out.extend((edge_type, node_id, other) for edge_type, other in found)
                else:
                    out.extend((edge_type, other, node_id) for edge_type, other in found)
            return out


def out_edges_sorted(graph: MemGraph, ids: Iterable[str], types: Callable[[str], bool]
                     ) -> list[EdgeRecord]:
    """The outgoing edges of ``ids`` (of ``types``), per node by type, target and key
    (``Store.out_edges_of``); a node without edges costs one lookup."""
    succ = graph._succ
    out: list[EdgeRecord] = []
    for node_id in ids:
        nbrs = succ.get(node_id)
        if not nbrs:
            continue
        found = [(edge_type, dst, data) for dst, keys in nbrs.items()
                 for (edge_type, _), data in keys.items() if types(edge_type)]
        if len(found) > 1:
            # edge_order as tuples (faster than a key function); the index keeps it stable
            ranked = sorted((t, d, _order_key(data), i, data)
                            for i, (t, d, data) in enumerate(found))
            found = [(t, d, data) for t, d, _, _, data in ranked]
        out.extend({"type": edge_type, "src": node_id, "dst": dst, "props": dict(data)}
                   for edge_type, dst, data in found)
    return out


def _order_key(props: dict[str, Any]) -> str:
    key = props.get("rid") or props.get("role") or ""
    return key if isinstance(key, str) else ""


def out_edge_types(graph: MemGraph, ids: Iterable[str]) -> dict[str, set[str]]:
    """Relationship type -> the nodes of ``ids`` with an outgoing edge of that type."""
    succ = graph._succ
    out: dict[str, set[str]] = {}
    for node_id in ids:
        for keys in (succ.get(node_id) or {}).values():
            for edge_type, _ in keys:
                out.setdefault(edge_type, set()).add(node_id)
    return out


@contextmanager
def no_gc() -> Iterator[None]:
    """Hold off the cyclic GC for one write or replay (restoring its state after).

    A write allocates tens of thousands of long-lived dicts; each young collection during it
    counts toward a full one, which walks every dict of the graph. Collecting once after the
    write instead cuts full collections, the main cost of writing to a big graph, several
    fold (the process's garbage waits a few milliseconds longer, nothing more)."""
    enabled = gc.isenabled()
    if enabled:
        gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
