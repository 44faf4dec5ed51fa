"""The store interface split by consumer: four small protocols, each what one part of the
system needs, and ``Store`` (:mod:`keeper.stores.base`) their union.

- :class:`GraphWriter`: the keeper, ``provgraph import`` and maintenance (write, import,
  clear, close);
- :class:`ProvReads`: the exports (:mod:`exports.source`): nodes and edges by id, keyset
  pages of ids, the scope of a workflow;
- :class:`LineagePrimitives`: the one lineage engine (:mod:`keeper.lineage`): one hop of a
  walk and a few bounded reads, in one read session;
- :class:`QueryReads`: the query API behind ``Flowcept.db`` (:mod:`keeper.query`), the
  reports and the CLI's small questions.

Both stores implement all four (``tests/keeper/stores/test_protocols.py`` checks it, and
mypy checks the signatures); code that needs one part types its store with that part, so a
reader sees what it touches, and a new store can be built one protocol at a time. The
records that cross them are :mod:`keeper.stores.records` (and the lineage rows of
:mod:`keeper.stores.lineage`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, runtime_checkable

from keeper.stores.records import EdgeRecord, NodeRecord

if TYPE_CHECKING:
    from keeper.stores.lineage import Row
    from keeper.stores.scope import ScopeIds
    from prov_model import GraphDelta

T = TypeVar("T")


@runtime_checkable
class GraphWriter(Protocol):
    """Where the keeper writes (see ``Store``'s write contract in :mod:`keeper.stores.base`)."""

    def write(self, delta: GraphDelta) -> None: ...

    def import_graph(self, delta: GraphDelta) -> None: ...

    def clear(self) -> None: ...

    def close(self) -> None: ...


@runtime_checkable
class ProvReads(Protocol):
    """What a PROV export reads: every read by id or by page, none of a whole graph."""

    def namespaces(self) -> list[tuple[str, str]]: ...

    def label_ids(self, label: str) -> list[str]: ...

    def page_label_ids(self, label: str, after: str, limit: int) -> list[str]: ...

    def label_count(self, label: str) -> int: ...

    def get_node(self, node_id: str) -> NodeRecord | None: ...

    def nodes_by_ids(self, ids: Sequence[str]) -> list[NodeRecord]: ...

    def out_edges_of(self, ids: Sequence[str], types: tuple[str, ...] | None = None
                     ) -> list[EdgeRecord]: ...

    def in_edges_of(self, ids: Sequence[str], types: tuple[str, ...] | None = None
                    ) -> list[EdgeRecord]: ...

    def out_edge_types(self, ids: Sequence[str]) -> dict[str, set[str]]: ...

    def edge_ends(self, ids: Sequence[str], types: tuple[str, ...] | None = None,
                  direction: str = "out") -> list[tuple[str, str, str]]: ...

    def part_of_closure(self, root_id: str) -> list[str]: ...

    def part_of_scope(self, root_id: str) -> ScopeIds | None: ...


@runtime_checkable
class LineagePrimitives(Protocol):
    """The read primitives of the lineage engine (rows: :mod:`keeper.stores.lineage`)."""

    def lineage_session(self, work: Callable[[Any], T]) -> T: ...

    def lineage_step(self, ids: list[str], way: str, limit: int) -> list[Row]: ...

    def walk_step(self, way: str, depth: int = 1, limit: int = 1
                  ) -> Callable[[list[str], str, int], list[Row]]: ...

    def nodes_by_ids(self, ids: Sequence[str]) -> list[NodeRecord]: ...

    def neighbourhood(self, ids: list[str], limit: int) -> list[Row]: ...

    def workflow_tasks(self, workflow_id: str, limit: int) -> list[Row]: ...

    def entity_users(self, entity_id: str, limit: int) -> list[Row]: ...

    def campaign_workflows(self, campaign_id: str, limit: int) -> list[NodeRecord]: ...

    def task_counts(self, workflow_ids: list[str]) -> list[Row]: ...

    def activity_links(self, workflow_id: str) -> list[Row]: ...

    def workflow_crossings(self, workflow_id: str, limit: int) -> list[Row]: ...


@runtime_checkable
class QueryReads(Protocol):
    """The query reads behind ``Flowcept.db`` and the CLI."""

    def get_node(self, node_id: str) -> NodeRecord | None: ...

    def find_nodes(self, label: str, where: Mapping[str, Any] | None = None,
                   limit: int | None = None) -> list[NodeRecord]: ...

    def edges(self, node_id: str, direction: str = "both",
              types: tuple[str, ...] | None = None) -> list[EdgeRecord]: ...

    def counts(self) -> dict[str, dict[str, int]]: ...

    def iter_nodes(self, labels: tuple[str, ...] | None = None) -> Iterator[NodeRecord]: ...

    def iter_edges(self, types: tuple[str, ...] | None = None) -> Iterator[EdgeRecord]: ...

    def alive(self) -> bool: ...


@runtime_checkable
class ScopedReads(ProvReads, LineagePrimitives, Protocol):
    """What an export reads: PROV reads, and lineage for a scope around a node."""


PROTOCOLS: tuple[type, ...] = (GraphWriter, ProvReads, LineagePrimitives, QueryReads)

if TYPE_CHECKING:
    from keeper.stores.base import Store

    def _store_is_each_protocol(store: Store) -> tuple[
            GraphWriter, ProvReads, LineagePrimitives, QueryReads, ScopedReads]:
        """Never called: mypy checks here that ``Store`` (so each store, whose methods
        mypy checks against it) has every protocol's methods with their signatures."""
        return store, store, store, store, store

__all__ = ["PROTOCOLS", "GraphWriter", "LineagePrimitives", "ProvReads", "QueryReads",
           "ScopedReads"]
