"""The node ids of an export scope, read in keyset pages: what lets an export hold one page
of ids and one chunk of records at a time, whatever the size of the workflow.

A :class:`ScopeIds` answers two questions: the ids of one general label in the scope after
a given id, in id order, a page at a time (:meth:`ScopeIds.page`); and which of some ids
are in the scope, with their labels (:meth:`ScopeIds.labels_of`, the edge filter's question).

Three kinds of scope:

- the whole store (:class:`LabelScope`): pages of the stores' ``page_label_ids``;
- a workflow or campaign (``Store.part_of_scope``): the root, everything ``WAS_PART_OF`` it
  (activities), the values they used and generated (entities, with the plans of their
  associations) and their agents. The embedded store keeps it in a temporary table of its
  database (flat memory); :func:`held_part_of_scope` is the default over the PROV reads,
  holding the ids (the Neo4j store's today);
- the lineage around a node (:class:`HeldScope` of :mod:`keeper.lineage.around`'s answer:
  bounded by the walk's cap, so held).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Protocol

from prov_model.vocab import (
    ACTIVITY,
    AGENT,
    ENTITY,
    USED,
    WAS_ASSOCIATED_WITH,
    WAS_GENERATED_BY,
)

if TYPE_CHECKING:
    from keeper.stores.protocols import ProvReads

GENERAL = (ENTITY, ACTIVITY, AGENT)


class ScopeIds(Protocol):
    """The ids of a scope by general label (see the module docstring)."""

    def page(self, label: str, after: str, limit: int) -> list[str]:
        """At most ``limit`` ids of ``label`` greater than ``after``, in id order."""
        ...

    def labels_of(self, ids: Sequence[str]) -> dict[str, set[str]]:
        """Those of ``ids`` in the scope -> the general labels they are in it under."""
        ...

    def count(self) -> int:
        """How many (label, id) pairs the scope holds."""
        ...

    def close(self) -> None:
        """Release what the scope holds in the store (idempotent)."""
        ...


class HeldScope:
    """A scope held in memory: sorted ids per general label."""

    def __init__(self, ids: dict[str, Iterable[str]]) -> None:
        self._ids = {label: sorted(set(found)) for label, found in ids.items()}
        self._labels: dict[str, set[str]] = {}
        for label, found in self._ids.items():
            for node_id in found:
                self._labels.setdefault(node_id, set()).add(label)

    def page(self, label: str, after: str, limit: int) -> list[str]:
        ids = self._ids.get(label, [])
        first = bisect.bisect_right(ids, after)
        return ids[first:first + limit]

    def labels_of(self, ids: Sequence[str]) -> dict[str, set[str]]:
        return {i: self._labels[i] for i in ids if i in self._labels}

    def count(self) -> int:
        return sum(len(ids) for ids in self._ids.values())

    def close(self) -> None:
        pass


class LabelScope:
    """The whole store: every node, by general label, paged by the store."""

    def __init__(self, store: ProvReads) -> None:
        self._store = store

    def page(self, label: str, after: str, limit: int) -> list[str]:
        return self._store.page_label_ids(label, after, limit)

    def labels_of(self, ids: Sequence[str]) -> dict[str, set[str]]:
        return {node["id"]: {node["labels"][0]} for node in self._store.nodes_by_ids(ids)}

    def count(self) -> int:
        return sum(self._store.label_count(label) for label in GENERAL)

    def close(self) -> None:
        pass


def held_part_of_scope(store: ProvReads, root: str, chunk: int = 5000) -> HeldScope | None:
    """The workflow or campaign scope of ``root`` over the generic PROV reads, held in
    memory; ``None`` when there is no node ``root``."""
    closure = store.part_of_closure(root)
    if not closure:
        return None
    entities: set[str] = set()
    agents: set[str] = set()
    for start in range(0, len(closure), chunk):
        part = closure[start:start + chunk]
        # Only associations carry a prop the scope needs (the plan): the other reads leave
        # props out.
        entities.update(dst for _, _, dst in store.edge_ends(part, (USED,)))
        for edge in store.out_edges_of(part, (WAS_ASSOCIATED_WITH,)):
            agents.add(edge["dst"])
            plan = edge["props"].get("plan")
            if isinstance(plan, str):
                entities.add(plan)
        entities.update(src for _, src, _ in store.edge_ends(part, (WAS_GENERATED_BY,), "in"))
    return HeldScope({ACTIVITY: closure, ENTITY: entities, AGENT: agents})


__all__ = ["GENERAL", "HeldScope", "LabelScope", "ScopeIds", "held_part_of_scope"]
