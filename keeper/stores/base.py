"""The store interface: where the keeper writes the PROV graph, and what queries read.

A store is a small class registered by ``kind`` (``neo4j``, ``embedded``), built with
``from_settings``. Both stores take the same :class:`prov_model.GraphDelta` writes and
answer the same queries with the same plain-dict shapes, so the query API, the exporters
and the tests do not care which one is behind them.

Write contract:
- ``write(delta)`` is ONE transaction (all of the delta or nothing), idempotent (the same
  delta twice changes nothing), applies the merge rule of ``prov_model.merge`` to nodes
  written again, and derives value-flow ``WAS_INFORMED_BY`` edges by the rule of
  ``prov_model.derive`` over the stored graph.
- A store that cannot be reached raises :class:`provgraph.core.errors.StoreUnavailableError`
  (the keeper retries with backoff and acknowledges nothing); any other failure raises
  :class:`provgraph.core.errors.StoreError`.

``Store`` is the union of the four protocols of :mod:`keeper.stores.protocols` (the writer,
the PROV reads, the lineage primitives, the query reads), for callers that need everything;
code that needs one part types its store with that protocol. Records are the typed dicts of
:mod:`keeper.stores.records` (``NodeRecord``, ``EdgeRecord``, ``LineageHit``), labels
general-first as in ``prov_model`` (e.g. ``["Activity", "Task"]``).

Lineage answers (:mod:`keeper.lineage`, the one engine) are built from the bounded
primitives (defaults in :class:`keeper.stores.lineage.LineageReads`); ``upstream`` and
``downstream`` here are shorthands of that engine.
"""

from __future__ import annotations

import bisect
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from keeper.stores.lineage import LineageReads
from keeper.stores.records import EdgeRecord, LineageHit, NodeRecord
from prov_model.vocab import ALL_LABEL_SETS, WAS_PART_OF
from provgraph.core import registry
from provgraph.core.errors import StoreError
from provgraph.core.registry import Registry

if TYPE_CHECKING:
    from keeper.stores.scope import ScopeIds
    from prov_model import GraphDelta
    from provgraph.core.config import Settings


MAX_LINEAGE_DEPTH = 50
DIRECTIONS = ("out", "in", "both")  # of Store.edges

class Store(LineageReads, ABC):
    """A PROV graph store (see the module docstring); the lineage primitives come from
    :class:`keeper.stores.lineage.LineageReads` (generic defaults a store may override)."""

    kind: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        STORES.register(cls.kind, cls)

    @classmethod
    @abstractmethod
    def from_settings(cls, settings: Settings) -> Store:
        """Open the store the settings name (creating schema/files as needed)."""

    # --- writing -----------------------------------------------------------------------------

    @abstractmethod
    def write(self, delta: GraphDelta) -> None:
        """Write one delta in one transaction (see the module docstring)."""

    # --- reading -----------------------------------------------------------------------------

    @abstractmethod
    def get_node(self, node_id: str) -> NodeRecord | None:
        """One node by id, or ``None``."""

    @abstractmethod
    def find_nodes(
        self, label: str, where: Mapping[str, Any] | None = None, limit: int | None = None
    ) -> list[NodeRecord]:
        """Nodes having ``label`` whose props equal every ``where`` item (``id`` included),
        ordered by ``started_at`` then ``id`` (nodes without ``started_at`` last)."""

    @abstractmethod
    def edges(
        self, node_id: str, direction: str = "both", types: tuple[str, ...] | None = None
    ) -> list[EdgeRecord]:
        """Edges touching ``node_id``: ``direction`` is ``out``, ``in`` or ``both``."""

    def upstream(self, node_id: str, depth: int = 10) -> list[LineageHit]:
        """Nodes ``node_id`` depends on, following ``vocab.LINEAGE_EDGE_TYPES`` forwards (``USED``
        task->entity, ``WAS_GENERATED_BY`` entity->task, ``WAS_INFORMED_BY`` task->task), at
        most ``depth`` hops; each ``{"id", "labels", "distance"}`` at its shortest distance;
        ``node_id`` itself excluded. A shorthand of the one lineage engine
        (:func:`keeper.lineage.around.nearest`, without a cap), never a walk of its own."""
        return self._nearest(node_id, "upstream", depth)

    def downstream(self, node_id: str, depth: int = 10) -> list[LineageHit]:
        """Nodes that depend on ``node_id``: the same edges followed backwards."""
        return self._nearest(node_id, "downstream", depth)

    def _nearest(self, node_id: str, way: str, depth: int) -> list[LineageHit]:
        from keeper.lineage.around import nearest

        return nearest(self, check_id(node_id), way, check_depth(depth))

    @abstractmethod
    def counts(self) -> dict[str, dict[str, int]]:
        """``{"nodes": {label: n}, "edges": {type: n}}`` — every label of a node counts."""

    @abstractmethod
    def iter_nodes(self, labels: tuple[str, ...] | None = None) -> Iterator[NodeRecord]:
        """Every node (having any of ``labels``, when given), in no particular order."""

    @abstractmethod
    def iter_edges(self, types: tuple[str, ...] | None = None) -> Iterator[EdgeRecord]:
        """Every edge (of the given ``types``, when given)."""

    # --- PROV documents (exports/): import, and reads by id for scoped exports ----------------
    # Defaults built on the methods above; both stores override them with batched reads.

    def import_graph(self, delta: GraphDelta) -> None:
        """Write an imported PROV document (``prov_model.imported``) in ONE transaction:
        nodes are matched by id whatever their labels and get the delta's labels added and
        its props set (``declared`` is a union); ``Namespace`` nodes are written on creation
        only; edges are merged on ``(type, rid)``. No value-flow derivation."""
        raise StoreError(f"the {self.kind or type(self).__name__} store cannot import PROV")

    def namespaces(self) -> list[tuple[str, str]]:
        """``(prefix, namespace IRI)`` of the ``Namespace`` nodes, sorted by IRI."""
        return []

    def label_ids(self, label: str) -> list[str]:
        """The ids of every node having ``label``, sorted."""
        check_label(label)
        return sorted(record["id"] for record in self.iter_nodes((label,)))

    def nodes_by_ids(self, ids: Sequence[str]) -> list[NodeRecord]:
        """The nodes of ``ids`` that exist, in the order given."""
        return [node for node in map(self.get_node, ids) if node is not None]

    def out_edges_of(self, ids: Sequence[str], types: tuple[str, ...] | None = None
                     ) -> list[EdgeRecord]:
        """The outgoing edges of the nodes ``ids`` (of ``types``), by source in the order
        given, then by type, target and props (``rid`` or ``role``)."""
        out: list[EdgeRecord] = []
        for node_id in ids:
            out.extend(sorted(self.edges(node_id, "out", types), key=edge_order))
        return out

    def out_edge_types(self, ids: Sequence[str]) -> dict[str, set[str]]:
        """Relationship type -> the nodes of ``ids`` that have an outgoing edge of it."""
        out: dict[str, set[str]] = {}
        for edge in self.out_edges_of(ids):
            out.setdefault(edge["type"], set()).add(edge["src"])
        return out

    def in_edges_of(self, ids: Sequence[str], types: tuple[str, ...] | None = None
                    ) -> list[EdgeRecord]:
        """The incoming edges of the nodes ``ids`` (of ``types``), ordered like
        :meth:`out_edges_of` but by target first."""
        out: list[EdgeRecord] = []
        for node_id in ids:
            out.extend(sorted(self.edges(node_id, "in", types), key=edge_order))
        return out

    def edge_ends(self, ids: Sequence[str], types: tuple[str, ...] | None = None,
                  direction: str = "out") -> list[tuple[str, str, str]]:
        """``(type, src, dst)`` of the outgoing (``"out"``) or incoming (``"in"``) edges of
        ``ids`` (of ``types``), by node in the order given, then by type and other end: the
        reads that need no props (what a scope holds), without reading them."""
        if direction not in ("out", "in"):
            raise StoreError(f"direction must be 'out' or 'in', got {direction!r}")
        edges = (self.out_edges_of(ids, types) if direction == "out"
                 else self.in_edges_of(ids, types))
        return [(edge["type"], edge["src"], edge["dst"]) for edge in edges]

    def page_label_ids(self, label: str, after: str, limit: int) -> list[str]:
        """At most ``limit`` ids of nodes having ``label`` greater than ``after``, in id
        order (keyset pages). Here over :meth:`label_ids` (holding them); the embedded store
        reads one page at a time."""
        ids = self.label_ids(label)
        first = bisect.bisect_right(ids, after)
        return ids[first:first + limit]

    def label_count(self, label: str) -> int:
        """How many nodes have ``label``."""
        return self.counts()["nodes"].get(check_label(label), 0)

    def part_of_scope(self, root_id: str) -> ScopeIds | None:
        """The export scope of a workflow or campaign (``root_id``, what is part of it, the
        values its activities used and generated, their agents and plans) as keyset pages
        of ids (:mod:`keeper.stores.scope`), or ``None`` when there is no ``root_id``. Here
        held in memory; the embedded store keeps it in its database. Close it after use."""
        from keeper.stores.scope import held_part_of_scope

        return held_part_of_scope(self, root_id)

    def part_of_closure(self, root_id: str) -> list[str]:
        """``root_id`` and every node ``WAS_PART_OF`` it, directly or not, sorted."""
        seen = {root_id}
        frontier = [root_id]
        while frontier:
            found = [src for _, src, _ in self.edge_ends(frontier, (WAS_PART_OF,), "in")
                     if src not in seen]
            seen.update(found)
            frontier = found
        return sorted(seen) if self.get_node(root_id) is not None else []

    # --- lifecycle ---------------------------------------------------------------------------

    @abstractmethod
    def alive(self) -> bool:
        """Whether the store answers now."""

    @abstractmethod
    def clear(self) -> None:
        """Delete every node and edge (tests, ``provgraph`` maintenance)."""

    def close(self) -> None:
        """Release connections and files. Idempotent."""


STORES: Registry[type[Store]] = Registry("store", registry.STORES, StoreError)


def store_class(kind: str) -> type[Store]:
    return STORES.get(kind)


def open_store(settings: Settings) -> Store:
    return store_class(settings.store.kind).from_settings(settings)


KNOWN_LABELS = frozenset(label for labels in ALL_LABEL_SETS for label in labels)


def edge_order(edge: EdgeRecord) -> tuple[str, str, str, str]:
    """The order of edges from one node: type, target, then ``rid`` or ``role``."""
    props = edge["props"]
    key = props.get("rid") or props.get("role") or ""
    return (edge["type"], edge["src"], edge["dst"], key if isinstance(key, str) else "")
_WHERE_VALUES = (str, int, float, bool, list, tuple)


def check_label(label: Any) -> str:
    if not isinstance(label, str) or label not in KNOWN_LABELS:
        raise StoreError(f"unknown label {label!r}; known: {', '.join(sorted(KNOWN_LABELS))}")
    return label


def check_id(node_id: Any) -> str:
    if not isinstance(node_id, str):
        raise StoreError(f"node id must be a string, got {type(node_id).__name__}")
    return node_id


def check_direction(direction: Any) -> str:
    if direction not in DIRECTIONS:
        raise StoreError(f"direction must be one of {', '.join(DIRECTIONS)}, got {direction!r}")
    return str(direction)


def check_limit(limit: Any) -> int | None:
    if limit is not None and (type(limit) is not int or limit < 0):
        raise StoreError(f"limit must be a non-negative int or None, got {limit!r}")
    return limit


def split_where(where: Mapping[str, Any] | None) -> tuple[dict[str, Any], list[str]]:
    """``where`` as (items to equal, keys that must be absent: the ``None`` items); the
    same rules for every store (tuples compare as lists)."""
    if where is None:
        return {}, []
    if not isinstance(where, Mapping):
        raise StoreError(f"where must be a mapping of property -> value, got {type(where)}")
    equal: dict[str, Any] = {}
    absent: list[str] = []
    for key, value in where.items():
        if not isinstance(key, str):
            raise StoreError(f"where keys must be property names, got {key!r}")
        if value is None:
            absent.append(key)
        elif isinstance(value, _WHERE_VALUES):
            equal[key] = list(value) if isinstance(value, tuple) else value
        else:
            raise StoreError(f"where[{key!r}] must be a scalar or a list, got {type(value)}")
    return equal, absent


def check_depth(depth: int) -> int:
    if not isinstance(depth, int) or isinstance(depth, bool) or not 1 <= depth <= MAX_LINEAGE_DEPTH:
        raise StoreError(f"depth must be an int from 1 to {MAX_LINEAGE_DEPTH}, got {depth!r}")
    return depth
