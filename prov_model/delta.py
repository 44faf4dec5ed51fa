"""Graph value types: :class:`Node`, :class:`Edge` and :class:`GraphDelta` (what a mapping returns).

Properties are what Neo4j can store: scalars (str, int, float, bool) or lists of scalars;
never ``None`` and never nested maps (those travel as ``*_json`` strings).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeAlias

from prov_model.merge import merge_task_props

Scalar: TypeAlias = str | int | float | bool
PropValue: TypeAlias = Scalar | list[Scalar]
Props: TypeAlias = dict[str, PropValue]


@dataclass(slots=True)
class Node:
    """One PROV node: ``id`` is unique across the whole graph; labels are general-first."""

    id: str
    labels: tuple[str, ...]
    props: Props = field(default_factory=dict)

    @property
    def label(self) -> str:
        """The primary (most specific) label, e.g. ``Task`` for ``("Activity", "Task")``."""
        return self.labels[-1]


@dataclass(slots=True)
class Edge:
    """One relationship ``(src)-[:type {props}]->(dst)``, endpoints given by node id."""

    type: str
    src: str
    dst: str
    props: Props = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str, str, str | None]:
        """Identity of the edge: a node pair may hold one edge per type and role."""
        role = self.props.get("role")
        return (self.type, self.src, self.dst, role if isinstance(role, str) else None)


@dataclass(slots=True)
class GraphDelta:
    """Nodes and edges to write. Every edge's endpoints are among ``nodes`` (maybe as stubs)."""

    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.nodes or self.edges)

    def node_map(self) -> dict[str, Node]:
        """Nodes by id."""
        return {n.id: n for n in self.nodes}


class DeltaBuilder:
    """Accumulates nodes and edges, de-duplicating as it goes.

    A node seen twice (same id) keeps one entry: its props are combined with
    :func:`prov_model.merge.merge_task_props` (later non-null wins, a terminal status is never
    overwritten by a non-terminal one), its labels are the union. An edge seen twice (same
    type, endpoints and role) keeps one entry whose props are updated by the later one.
    """

    __slots__ = ("_edges", "_nodes")

    def __init__(self) -> None:
        self._nodes: dict[str, Node] = {}
        self._edges: dict[tuple[str, str, str, str | None], Edge] = {}

    def add_node(self, node: Node) -> None:
        """Add ``node``, merging it into the node of the same id if there is one."""
        old = self._nodes.get(node.id)
        if old is None:
            self._nodes[node.id] = node
        else:
            self._merge_node(old, node.labels, node.props)

    def node(self, node_id: str, labels: tuple[str, ...], props: Props) -> None:
        """Like :meth:`add_node`, building the ``Node`` only when the id is new (hot path)."""
        old = self._nodes.get(node_id)
        if old is None:
            self._nodes[node_id] = Node(node_id, labels, props)
        else:
            self._merge_node(old, labels, props)

    @staticmethod
    def _merge_node(old: Node, labels: tuple[str, ...], props: Props) -> None:
        if props and props != old.props:
            old.props = merge_task_props(old.props, props) if old.props else props
        if labels != old.labels:
            old.labels = old.labels + tuple(x for x in labels if x not in old.labels)

    def add_edge(self, edge: Edge) -> None:
        """Add ``edge``, updating the props of the same (type, src, dst, role) if present."""
        role = edge.props.get("role")
        key = (edge.type, edge.src, edge.dst, role if isinstance(role, str) else None)
        old = self._edges.get(key)
        if old is None:
            self._edges[key] = edge
        elif edge.props:
            old.props = {**old.props, **edge.props}

    def edge(
        self, edge_type: str, src: str, dst: str, props: Props, role: str | None = None
    ) -> None:
        """Like :meth:`add_edge`; ``role`` must equal ``props["role"]`` when that is set."""
        key = (edge_type, src, dst, role)
        old = self._edges.get(key)
        if old is None:
            self._edges[key] = Edge(edge_type, src, dst, props)
        elif props:
            old.props = {**old.props, **props}

    def extend(self, delta: GraphDelta) -> None:
        for node in delta.nodes:
            self.add_node(node)
        for edge in delta.edges:
            self.add_edge(edge)

    def build(self) -> GraphDelta:
        return GraphDelta(list(self._nodes.values()), list(self._edges.values()))
