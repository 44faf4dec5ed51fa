"""The embedded store: the PROV graph in memory, made durable by an append-only log.

The default store for single-machine use: no server. ``EmbeddedStore`` answers the same
queries with the same record shapes as the Neo4j store (``keeper/stores/base.py``).

* Memory: a networkx ``MultiDiGraph`` with the Neo4j store's merge rules
  (:mod:`keeper.stores.embedded.graph`); :meth:`networkx` hands it to networkx algorithms.
* Durability: ``<settings.embedded_store_dir>/graph.log``, one JSON line per ``write()``
  (the nodes and edges that changed something, derived ``WAS_INFORMED_BY`` edges included),
  ``fdatasync``-ed before ``write()`` returns; replayed on open
  (:mod:`keeper.stores.embedded.log`). A write that changes nothing appends nothing.
* One writer process: the first ``write()`` (or ``clear``/``compact``) takes an exclusive
  ``flock`` on ``writer.lock`` without waiting; when another process holds it, the write
  raises :class:`StoreUnavailableError` (the keeper retries with backoff). ``close()`` gives
  the lock back. Other processes read the same directory: before every query they read the
  log lines appended since their last look, so they see the writer's writes.
* One instance per directory in a process (:meth:`EmbeddedStore.open`): the in-process
  keeper and ``Flowcept.db`` share one graph. ``close()`` releases the files and the lock
  but keeps the instance usable (it reopens them on next use); :meth:`EmbeddedStore.evict`
  drops instances from the cache (tests, long-lived processes).
* Thread-safe: one re-entrant lock around every write and query.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from keeper.stores.base import (
    EdgeRecord,
    NodeRecord,
    Store,
    check_depth,
    check_direction,
    check_id,
    check_label,
    check_limit,
    split_where,
)
from keeper.stores.embedded.graph import MemGraph, Undo
from keeper.stores.embedded.lineage import EmbeddedLineage
from keeper.stores.embedded.log import GraphLog, Record, encode
from keeper.stores.embedded.prov import EmbeddedProv, no_gc
from keeper.stores.embedded.query import (
    first,
    matches,
    type_filter,
)
from prov_model.derive import derive_informed_by, value_flow_candidates
from prov_model.vocab import WAS_INFORMED_BY
from provgraph.core.errors import StoreError, StoreUnavailableError

if TYPE_CHECKING:
    import networkx as nx

    from prov_model import GraphDelta
    from provgraph.core.config import Settings

log = logging.getLogger(__name__)

COMPACT_MIN_BYTES = 64 << 20  # compact on writer start when the log is at least this big
COMPACT_RATIO = 3  # ... and holds this many times more entries than the graph has items
SNAPSHOT_CHUNK = 5000  # node or edge entries per line of a compacted log
ITER_CHUNK = 1000  # records built per lock hold in iter_nodes / iter_edges
_DERIVED = {"derived": True}


class EmbeddedStore(EmbeddedProv, EmbeddedLineage, Store):
    kind = "embedded"

    _instances: ClassVar[dict[str, EmbeddedStore]] = {}
    _instances_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        """Open (creating if needed) the store in ``directory`` and replay its log. Prefer
        :meth:`open`, which returns the process's instance for that directory."""
        self.directory = Path(directory).expanduser().resolve()
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreUnavailableError(f"cannot create {self.directory}: {exc}") from exc
        self._lock = threading.RLock()
        self._graph = MemGraph()
        self._log = GraphLog(self.directory)
        with self._lock:
            self._refresh()

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
        """Close and forget the cached instance of ``directory`` (every one when ``None``):
        the next :meth:`open` replays the log into a new instance."""
        with cls._instances_lock:
            if directory is None:
                stores = list(cls._instances.values())
                cls._instances.clear()
            else:
                found = cls._instances.pop(str(Path(directory).expanduser().resolve()), None)
                stores = [found] if found is not None else []
        for store in stores:
            store.close()

    # --- log <-> memory ----------------------------------------------------------------------

    def _refresh(self) -> None:
        """Apply the log lines appended since the last look (another process's writes)."""
        reset, records = self._log.poll()
        if reset:
            self._graph = MemGraph()
        with _no_gc():
            for record in records:
                self._apply(record)

    def _apply(self, record: Record) -> None:
        graph = self._graph
        merge_node, merge_edge = graph.merge_node, graph.merge_edge
        try:
            for node_id, labels, props in record.get("n") or ():
                merge_node(node_id, labels, props, None)
            for edge_type, src, dst, props in record.get("e") or ():
                merge_edge(edge_type, src, dst, props, None)
        except (TypeError, ValueError, AttributeError, IndexError) as exc:
            # Valid JSON of the wrong shape: not something this store wrote. Keep the rest.
            log.warning("embedded store log %s: skipping the rest of a malformed line: %r",
                        self._log.path, exc)

    def _become_writer(self) -> None:
        if self._log.is_writer:
            return
        self._log.acquire()
        try:
            self._refresh()  # what the previous writer appended
            self._log.cut_torn_tail()
            if (self._log.offset >= COMPACT_MIN_BYTES
                    and self._log.entries > COMPACT_RATIO * max(1, self._graph.size())):
                self.compact()
        except BaseException:
            self._log.release()
            raise

    # --- writing ----------------------------------------------------------------------------

    def write(self, delta: GraphDelta) -> None:
        if not delta:
            return
        with self._lock, _no_gc():
            self._become_writer()
            graph = self._graph
            undo: Undo = []
            nodes: list[Any] = []
            edges: list[Any] = []
            skipped = 0
            try:
                for node in delta.nodes:
                    if graph.merge_node(node.id, node.labels, node.props, undo):
                        nodes.append((node.id, node.labels, node.props))
                for edge in delta.edges:
                    changed = graph.merge_edge(edge.type, edge.src, edge.dst, edge.props, undo)
                    if changed:
                        edges.append((edge.type, edge.src, edge.dst, edge.props))
                    elif changed is None:
                        skipped += 1
                for t2, t1 in sorted(self._value_flow(delta)):
                    if graph.merge_edge(WAS_INFORMED_BY, t2, t1, _DERIVED, undo):
                        edges.append((WAS_INFORMED_BY, t2, t1, _DERIVED))
                if nodes or edges:
                    self._log.append(encode(nodes, edges), len(nodes) + len(edges))
            except BaseException as exc:
                graph.rollback(undo)
                if isinstance(exc, Exception) and not isinstance(exc, StoreError):
                    raise StoreError(f"embedded store write failed: {exc!r}") from exc
                raise
        if skipped:
            log.warning("embedded store: %d edge(s) skipped, an endpoint is not a node", skipped)

    def _value_flow(self, delta: GraphDelta) -> set[tuple[str, str]]:
        """Derived WAS_INFORMED_BY pairs over the stored graph (prov_model.derive)."""
        consumers, producers = value_flow_candidates(delta)
        if not consumers and not producers:
            return set()
        graph = self._graph
        return derive_informed_by(
            consumers, producers,
            used_entities=graph.used_entities, generated_entities=graph.generated_entities,
            generators=graph.generators, consumers=graph.consumers, is_task=graph.is_task)

    def compact(self) -> None:
        """Rewrite the log as one snapshot of the graph (atomic rename). Takes the writer lock."""
        with self._lock:
            self._become_writer()
            graph = self._graph
            lines = (encode(nodes, edges) for nodes, edges in
                     graph.snapshot_entries(SNAPSHOT_CHUNK))
            self._log.replace(lines, graph.size())

    def clear(self) -> None:
        with self._lock:
            self._become_writer()
            self._log.replace((), 0)
            self._graph = MemGraph()

    # --- reading ----------------------------------------------------------------------------

    def get_node(self, node_id: str) -> NodeRecord | None:
        check_id(node_id)
        with self._lock:
            self._refresh()
            return self._graph.node_record(node_id)

    def find_nodes(
        self, label: str, where: Mapping[str, Any] | None = None, limit: int | None = None
    ) -> list[NodeRecord]:
        check_label(label)
        limit = check_limit(limit)
        conditions = split_where(where)
        with self._lock:
            self._refresh()
            graph = self._graph
            wanted = where.get("id") if where else None
            if wanted is not None:  # by id: one lookup, not a scan
                ids = [wanted] if isinstance(wanted, str) and wanted in graph else []
                ids = [i for i in ids if label in graph.labels(i)]
            else:
                ids = graph.node_ids(label)
            hits = [(i, props) for i in ids
                    if matches(i, props := graph.props(i), conditions)]
            return [{"id": node_id, "labels": list(graph.labels(node_id)), "props": dict(props)}
                    for node_id, props in first(hits, limit)]

    def edges(
        self, node_id: str, direction: str = "both", types: tuple[str, ...] | None = None
    ) -> list[EdgeRecord]:
        check_id(node_id)
        check_direction(direction)
        accept = type_filter(types)
        with self._lock:
            self._refresh()
            graph = self._graph
            records: list[EdgeRecord] = []
            if direction != "in":
                records.extend(graph.out_edges(node_id, accept))
            if direction != "out":
                records.extend(graph.in_edges(node_id, accept, skip_self=direction == "both"))
        records.sort(key=lambda r: (r["type"], r["src"], r["dst"]))  # as the Neo4j store
        return records

    def upstream(self, node_id: str, depth: int = 10) -> list[dict[str, Any]]:
        depth = check_depth(depth)
        check_id(node_id)
        with self._lock:
            self._refresh()
            return self._graph.walk(node_id, depth, forward=True)

    def downstream(self, node_id: str, depth: int = 10) -> list[dict[str, Any]]:
        depth = check_depth(depth)
        check_id(node_id)
        with self._lock:
            self._refresh()
            return self._graph.walk(node_id, depth, forward=False)

    def counts(self) -> dict[str, dict[str, int]]:
        with self._lock:
            self._refresh()
            return self._graph.counts()

    def iter_nodes(self, labels: tuple[str, ...] | None = None) -> Iterator[NodeRecord]:
        for label in labels or ():
            check_label(label)
        with self._lock:
            self._refresh()
            if labels is None:
                ids = self._graph.node_ids()
            else:
                ids = list(dict.fromkeys(i for label in labels
                                         for i in self._graph.node_ids(label)))
        for start in range(0, len(ids), ITER_CHUNK):
            with self._lock:
                node_record = self._graph.node_record
                chunk = [node_record(i) for i in ids[start : start + ITER_CHUNK]]
            yield from (record for record in chunk if record is not None)

    def iter_edges(self, types: tuple[str, ...] | None = None) -> Iterator[EdgeRecord]:
        accept = type_filter(types)
        with self._lock:
            self._refresh()
            ids = self._graph.node_ids()
        for start in range(0, len(ids), ITER_CHUNK):
            with self._lock:
                out_edges = self._graph.out_edges
                chunk = [r for i in ids[start : start + ITER_CHUNK] for r in out_edges(i, accept)]
            yield from chunk

    # --- lifecycle --------------------------------------------------------------------------

    def alive(self) -> bool:
        with self._lock:
            return self._log.alive()

    def close(self) -> None:
        """Close the log and give the writer lock back; memory stays, and the next use
        reopens the log (reading what others wrote meanwhile). Idempotent."""
        with self._lock:
            self._log.release()

    def networkx(self, copy: bool = True) -> nx.MultiDiGraph:
        """The graph as a networkx ``MultiDiGraph``: node attrs ``labels`` (tuple) and
        ``props``; edge key ``(type, role)``; edge data = the props. A copy by default;
        ``copy=False`` gives the live graph (never modify it, and read it only while no write
        can run: it changes under a concurrent write)."""
        with self._lock:
            self._refresh()
            graph = self._graph.nx_graph()
            return graph.copy() if copy else graph

    @property
    def is_writer(self) -> bool:
        """Whether this instance holds the writer lock now."""
        return self._log.is_writer

    def log_size(self) -> int:
        """Bytes in ``graph.log`` now."""
        return self._log.size()

    def __repr__(self) -> str:
        role = "writer" if self._log.is_writer else "reader"
        return f"EmbeddedStore({str(self.directory)!r}, {role})"


# Hold off the cyclic GC for one write or replay (keeper.stores.embedded.prov.no_gc).
_no_gc = no_gc


def _after_fork_in_child() -> None:
    """A forked child shares its parent's lock and file descriptions: start clean."""
    EmbeddedStore._instances_lock = threading.Lock()
    for store in EmbeddedStore._instances.values():
        store._lock = threading.RLock()
        store._log.forget_after_fork()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
