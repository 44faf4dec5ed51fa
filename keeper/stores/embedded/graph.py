"""The in-memory half of the embedded store: a networkx ``MultiDiGraph`` with a label index.

Node attributes: ``labels`` (tuple, general-first, one shared tuple per label set) and
``props`` (dict, never mutated in place: a merge builds a new dict). Edge key: ``(type,
role)`` (``role`` only when it is a string, as :attr:`prov_model.delta.Edge.key`), so a node
pair holds one edge per type and role; the edge data dict is the edge's props. Ids are
interned, so the adjacency dicts share one string per id.

Nodes and edges are written straight into networkx's own dicts (the layout
``add_node``/``add_edge`` build), which costs about half as much as those methods.

Merge rules, the same as the Neo4j ingest statements (``cypher/ingest``):

* tasks, workflows, campaigns and usage-local entities: :func:`prov_model.merge_task_props`;
* shared entities (``e:...``), plans and agents: written on creation only (their props
  derive from their id), a later write only adds labels;
* labels: the union, general-first order kept;
* edges: later props win (``SET r += props``).

Every change can be recorded in an undo list, so a write whose log append fails leaves
memory as it was. Not thread-safe: the store holds its lock around every call.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from math import isfinite
from typing import Any

import networkx as nx

from prov_model.entities import CONTENT_ID_PREFIX
from prov_model.merge import merge_task_props
from prov_model.vocab import (
    ENTITY,
    LINEAGE_EDGE_TYPES,
    NAMESPACE,
    PERSON,
    PLAN,
    SOFTWARE_AGENT,
    TASK,
    USED,
    WAS_GENERATED_BY,
)
from provgraph.core.errors import StoreError

CREATE_ONLY_LABELS = frozenset({PLAN, PERSON, SOFTWARE_AGENT})
_LINEAGE = frozenset(LINEAGE_EDGE_TYPES)

EdgeKey = tuple[str, str | None]
Undo = list[tuple[Any, ...]]

_intern = sys.intern
_LABELS: dict[tuple[str, ...], tuple[str, ...]] = {}
_KEYS: dict[EdgeKey, EdgeKey] = {}
_CACHE_MAX = 65536
_INTERN_MAX = 48
_NONE: dict[str, Any] = {}
_PLAIN = frozenset({str, int, float, bool, type(None)})
_SCALAR = (str, int, float)  # bool is an int


def _shared(cache: dict[Any, Any], value: Any) -> Any:
    """One shared tuple per distinct label set / edge key (not one per node or edge)."""
    found = cache.get(value)
    if found is None:
        if len(cache) >= _CACHE_MAX:
            return value
        cache[value] = found = value
    return found


def _own(props: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``props`` without ``None`` values, short strings interned: the status,
    host, user, workflow id... of 100k tasks are then one string each (~15% less memory)."""
    return {k: _intern(v) if type(v) is str and len(v) <= _INTERN_MAX else v
            for k, v in props.items() if v is not None}


def _checked(props: Mapping[str, Any], owner: str) -> Mapping[str, Any]:
    """``props`` if every value is what Neo4j can store (a scalar or a list of scalars),
    with tuples as lists and without non-finite floats; else :class:`StoreError` (the
    embedded store takes what the Neo4j store takes, no more)."""
    fixed: dict[str, Any] | None = None
    for key, value in props.items():
        if type(value) is float and not isfinite(value):
            # JSON (the log) has no NaN/Infinity: drop it now, as a replay would.
            fixed = fixed or dict(props)
            del fixed[key]
            continue
        if type(value) in _PLAIN or isinstance(value, _SCALAR):
            continue
        if isinstance(value, (list, tuple)) and all(isinstance(x, _SCALAR) for x in value):
            if type(value) is not list:
                fixed = fixed or dict(props)
                fixed[key] = list(value)
            continue
        raise StoreError(f"{owner}: property {key!r} must be a scalar or a list of scalars, "
                         f"got {type(value).__name__}")
    return props if fixed is None else fixed


def _create_only(node_id: str, primary: tuple[str, ...]) -> bool:
    """Whether the props of a node written with this primary label (``labels[-1:]``) are
    written on creation only (the Neo4j ingest statement for that label says so)."""
    return bool(primary) and (primary[0] in CREATE_ONLY_LABELS or (
        primary[0] == ENTITY and node_id.startswith(CONTENT_ID_PREFIX)))


class MemGraph:
    """Nodes and edges in memory, with the merge rules above."""

    def __init__(self) -> None:
        self._graph = nx.MultiDiGraph()
        self._nodes: dict[str, dict[str, Any]] = self._graph._node
        self._succ: dict[str, dict[str, dict[EdgeKey, dict[str, Any]]]] = self._graph._succ
        self._pred: dict[str, dict[str, dict[EdgeKey, dict[str, Any]]]] = self._graph._pred
        self.by_label: dict[str, dict[str, None]] = {}
        self.edge_counts: dict[str, int] = {}

    # --- writing ----------------------------------------------------------------------------

    def merge_node(
        self, node_id: str, labels: Iterable[str], props: Mapping[str, Any], undo: Undo | None
    ) -> bool:
        """Create or merge one node; whether anything changed. ``undo`` is ``None`` only
        when replaying the log (whose props were checked when written)."""
        labels = labels if type(labels) is tuple else tuple(labels)
        if undo is not None and props:
            props = _checked(props, f"node {node_id!r}")
        attrs = self._nodes.get(node_id)
        if attrs is None:
            node_id = _intern(node_id)
            labels = _shared(_LABELS, labels)
            # networkx's own layout (what MultiDiGraph.add_node builds), without its overhead.
            self._nodes[node_id] = {"labels": labels, "props": _own(props)}
            self._succ[node_id] = {}
            self._pred[node_id] = {}
            for label in labels:
                self.by_label.setdefault(label, {})[node_id] = None
            if undo is not None:
                undo.append((self._undo_new_node, node_id))
            return True
        old_labels: tuple[str, ...] = attrs["labels"]
        old_props: dict[str, Any] = attrs["props"]
        new_labels = old_labels
        extra: tuple[str, ...] = ()
        if labels != old_labels:
            extra = tuple(x for x in labels if x not in old_labels)
            if extra:
                new_labels = _shared(_LABELS, old_labels + extra)
        new_props = old_props
        if props and props != old_props and not _create_only(node_id, labels[-1:]):
            merged = merge_task_props(old_props, _own(props))
            if merged != old_props:
                new_props = merged
        if new_labels is old_labels and new_props is old_props:
            return False
        attrs["labels"], attrs["props"] = new_labels, new_props
        for label in extra:
            self.by_label.setdefault(label, {})[node_id] = None
        if undo is not None:
            undo.append((self._undo_old_node, node_id, old_labels, old_props))
        return True

    def merge_edge(
        self, edge_type: str, src: str, dst: str, props: Mapping[str, Any], undo: Undo | None
    ) -> bool | None:
        """Create or update one edge; whether anything changed, ``None`` when an endpoint
        is missing (the edge is skipped, as Neo4j's ``MATCH`` of the endpoints would)."""
        succ_src = self._succ.get(src)
        if succ_src is None or dst not in self._nodes:
            return None
        if undo is not None and props:
            props = _checked(props, f"{edge_type} edge {src!r} -> {dst!r}")
        # Imported PROV relations are told apart by their record hash (prov_model.imported).
        role = props.get("rid") or props.get("role")
        key: EdgeKey = _shared(_KEYS, (edge_type, role if isinstance(role, str) else None))
        keydict = succ_src.get(dst)
        if keydict is None:
            # networkx's layout (MultiDiGraph.add_edge): one key dict shared by succ and pred;
            # interned ids, so the adjacency dicts share the node's id string.
            src, dst = _intern(src), _intern(dst)
            keydict = succ_src[dst] = self._pred[dst][src] = {}
            data = None
        else:
            data = keydict.get(key)
        if data is None:
            keydict[key] = {k: v for k, v in props.items() if v is not None}
            self.edge_counts[edge_type] = self.edge_counts.get(edge_type, 0) + 1
            if undo is not None:
                undo.append((self._undo_new_edge, src, dst, key))
            return True
        changes = {k: v for k, v in props.items()
                   if v is not None and (k not in data or data[k] != v)}
        if not changes:
            return False
        if undo is not None:
            undo.append((self._undo_old_edge, data, dict(data)))
        data.update(changes)
        return True

    def import_node(
        self, node_id: str, labels: tuple[str, ...], props: Mapping[str, Any], undo: Undo
    ) -> tuple[tuple[str, ...], dict[str, Any]] | None:
        """Create or update a node of an imported PROV document (``Store.import_graph``):
        labels added, props set, ``declared`` a union, a ``Namespace`` node kept as first
        written. The node's labels and props when anything changed, else ``None``."""
        if props:
            props = _checked(props, f"node {node_id!r}")
        attrs = self._nodes.get(node_id)
        if attrs is None:
            self.merge_node(node_id, labels, props, undo)
            attrs = self._nodes[node_id]
            return attrs["labels"], attrs["props"]
        old_labels: tuple[str, ...] = attrs["labels"]
        old_props: dict[str, Any] = attrs["props"]
        if NAMESPACE in old_labels:
            return None
        extra = tuple(x for x in labels if x not in old_labels)
        new_props = {**old_props, **_own(props)}
        declared = {*(old_props.get("declared") or ()), *(props.get("declared") or ())}
        if declared:
            new_props["declared"] = sorted(declared)
        if not extra and new_props == old_props:
            return None
        new_labels = _shared(_LABELS, old_labels + extra) if extra else old_labels
        attrs["labels"], attrs["props"] = new_labels, new_props
        for label in extra:
            self.by_label.setdefault(label, {})[node_id] = None
        undo.append((self._undo_old_node, node_id, old_labels, old_props))
        return new_labels, new_props

    def _undo_new_node(self, node_id: str) -> None:
        for label in self._nodes[node_id]["labels"]:
            self.by_label[label].pop(node_id, None)
        del self._nodes[node_id], self._succ[node_id], self._pred[node_id]  # edges undone first

    def _undo_old_node(self, node_id: str, labels: tuple[str, ...], props: dict[str, Any]
                       ) -> None:
        attrs = self._nodes[node_id]
        for label in attrs["labels"]:
            if label not in labels:
                self.by_label[label].pop(node_id, None)
        attrs["labels"], attrs["props"] = labels, props

    def _undo_new_edge(self, src: str, dst: str, key: EdgeKey) -> None:
        keydict = self._succ[src][dst]
        del keydict[key]
        if not keydict:
            del self._succ[src][dst], self._pred[dst][src]
        self.edge_counts[key[0]] -= 1

    @staticmethod
    def _undo_old_edge(data: dict[str, Any], old: dict[str, Any]) -> None:
        data.clear()
        data.update(old)

    @staticmethod
    def rollback(undo: Undo) -> None:
        for step in reversed(undo):
            step[0](*step[1:])
        undo.clear()

    # --- value flow (lookups for prov_model.derive_informed_by) --------------------------------

    # Plain loops: any(<genexpr>) costs several times more on these 1-3 item dicts.

    def used_entities(self, task_id: str) -> list[str]:
        """Shared (content-addressed) entities the task USED: only those can link tasks."""
        found = []
        for dst, keys in self._succ.get(task_id, _NONE).items():
            if dst.startswith(CONTENT_ID_PREFIX):
                for key in keys:
                    if key[0] == USED:
                        found.append(dst)
                        break
        return found

    def generated_entities(self, task_id: str) -> list[str]:
        """Shared (content-addressed) entities generated by the task."""
        found = []
        for src, keys in self._pred.get(task_id, _NONE).items():
            if src.startswith(CONTENT_ID_PREFIX):
                for key in keys:
                    if key[0] == WAS_GENERATED_BY:
                        found.append(src)
                        break
        return found

    def generators(self, entity_id: str) -> list[str]:
        """One item per WAS_GENERATED_BY edge, as the Cypher fan-out guard counts them."""
        found = []
        for dst, keys in self._succ.get(entity_id, _NONE).items():
            for key in keys:
                if key[0] == WAS_GENERATED_BY:
                    found.append(dst)
        return found

    def consumers(self, entity_id: str) -> list[str]:
        found = []
        for src, keys in self._pred.get(entity_id, _NONE).items():
            for key in keys:
                if key[0] == USED:
                    found.append(src)
                    break
        return found

    def is_task(self, node_id: str) -> bool:
        attrs = self._nodes.get(node_id)
        return attrs is not None and TASK in attrs["labels"]

    # --- reading ----------------------------------------------------------------------------

    def nx_graph(self) -> nx.MultiDiGraph:
        """The live networkx graph. Read it, never write it."""
        nx.utils.misc._clear_cache(self._graph)  # we bypass add_edge, which clears it
        return self._graph

    def __contains__(self, node_id: object) -> bool:
        return node_id in self._nodes

    def __len__(self) -> int:
        return len(self._nodes)

    def size(self) -> int:
        """Nodes plus edges."""
        return len(self._nodes) + sum(self.edge_counts.values())

    def node_record(self, node_id: str) -> dict[str, Any] | None:
        attrs = self._nodes.get(node_id)
        if attrs is None:
            return None
        return {"id": node_id, "labels": list(attrs["labels"]), "props": dict(attrs["props"])}

    def props(self, node_id: str) -> dict[str, Any]:
        return self._nodes[node_id]["props"]

    def labels(self, node_id: str) -> tuple[str, ...]:
        return self._nodes[node_id]["labels"]

    def node_ids(self, label: str | None = None) -> list[str]:
        if label is None:
            return list(self._nodes)
        return list(self.by_label.get(label, ()))

    def out_edges(self, node_id: str, types: Callable[[str], bool]) -> Iterator[dict[str, Any]]:
        for dst, keys in self._succ.get(node_id, {}).items():
            for (edge_type, _), data in keys.items():
                if types(edge_type):
                    yield {"type": edge_type, "src": node_id, "dst": dst, "props": dict(data)}

    def in_edges(self, node_id: str, types: Callable[[str], bool], skip_self: bool = False
                 ) -> Iterator[dict[str, Any]]:
        for src, keys in self._pred.get(node_id, {}).items():
            if skip_self and src == node_id:
                continue  # a self-loop is one edge: out_edges gave it
            for (edge_type, _), data in keys.items():
                if types(edge_type):
                    yield {"type": edge_type, "src": src, "dst": node_id, "props": dict(data)}

    def adjacency(self, forward: bool) -> dict[str, dict[str, dict[EdgeKey, dict[str, Any]]]]:
        """The live successor (``forward``) or predecessor dicts: node -> neighbour -> edge
        key -> props. Read them, never write them."""
        return self._succ if forward else self._pred

    def walk(self, start: str, depth: int, forward: bool) -> list[dict[str, Any]]:
        """Breadth-first over the lineage edges (along them when ``forward``), shortest
        distance per node, ``start`` excluded; ordered by distance then id."""
        adjacency = self._succ if forward else self._pred
        if start not in adjacency:
            return []
        seen = {start: 0}
        frontier = [start]
        for distance in range(1, depth + 1):
            found = []
            for node in frontier:
                for other, keys in adjacency[node].items():
                    if other not in seen and any(key[0] in _LINEAGE for key in keys):
                        seen[other] = distance
                        found.append(other)
            if not found:
                break
            frontier = found
        del seen[start]
        nodes = self._nodes
        return [{"id": node_id, "labels": list(nodes[node_id]["labels"]), "distance": distance}
                for node_id, distance in sorted(seen.items(), key=lambda x: (x[1], x[0]))]

    def counts(self) -> dict[str, dict[str, int]]:
        return {"nodes": {label: len(ids) for label, ids in sorted(self.by_label.items()) if ids},
                "edges": {t: n for t, n in sorted(self.edge_counts.items()) if n}}

    def snapshot_entries(self, chunk: int) -> Iterator[tuple[list[Any], list[Any]]]:
        """The whole graph as log entries, nodes first: ``(nodes, edges)`` chunks."""
        batch: list[Any] = []
        for node_id, attrs in self._nodes.items():
            batch.append([node_id, attrs["labels"], attrs["props"]])
            if len(batch) >= chunk:
                yield batch, []
                batch = []
        if batch:
            yield batch, []
            batch = []
        for src, nbrs in self._succ.items():
            for dst, keys in nbrs.items():
                for (edge_type, _), data in keys.items():
                    batch.append([edge_type, src, dst, data])
            if len(batch) >= chunk:
                yield [], batch
                batch = []
        if batch:
            yield [], batch
