"""The read side of :class:`keeper.stores.neo4j.Neo4jStore`: queries, records, pagination.

Every statement is a named file of ``cypher/store/`` or ``cypher/lineage/``: labels and
relationship types cannot be Cypher parameters, and Neo4j 5.26 plans a dynamic label in
``MATCH (n:$($label))`` as an ``AllNodesScan`` (the label lookup for dynamic labels came in
2025.08), so ``find_nodes`` picks one statement per known label instead, and an indexed
variant when ``where`` names an indexed property (``Task.workflow_id`` ...).

``iter_nodes`` / ``iter_edges`` page by id over the id-constraint index of each general label
(``Activity``, ``Entity``, ``Agent``; every node has exactly one): one short read transaction
per page of ``page_size`` nodes, each seeking past the last id of the page before (an index
range seek that already gives id order: no sort), so a 1M-node graph streams in constant
memory, and a transaction lives only while the caller consumes its page. Within a page the
rows stream lazily too (the driver pulls them in batches): a node with a million outgoing
edges does not load them at once.

Lineage is not answered here: the one engine (:mod:`keeper.lineage`) walks over the
primitives of :mod:`keeper.stores.neo4j.lineage`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from keeper.stores.base import (
    EdgeRecord,
    NodeRecord,
    check_direction,
    check_label,
    split_where,
)
from prov_model import vocab
from provgraph.core.errors import StoreError

Row = dict[str, Any]

# Labels general-first: a node's labels are sorted by this rank (unknown labels last, by name).
LABEL_ORDER: tuple[str, ...] = (
    vocab.ACTIVITY, vocab.ENTITY, vocab.AGENT,
    vocab.TASK, vocab.WORKFLOW, vocab.CAMPAIGN, vocab.PLAN, vocab.PERSON, vocab.SOFTWARE_AGENT,
)
_LABEL_RANK = {label: rank for rank, label in enumerate(LABEL_ORDER)}
GENERAL_LABELS: tuple[str, ...] = (vocab.ACTIVITY, vocab.ENTITY, vocab.AGENT)
# label -> its general label (Task -> Activity, Entity -> Entity).
GENERAL_OF: dict[str, str] = {
    label: labels[0] for labels in vocab.ALL_LABEL_SETS for label in labels
}

FIND_STATEMENTS: dict[str, str] = {
    vocab.ACTIVITY: "store/find_activities",
    vocab.ENTITY: "store/find_entities",
    vocab.AGENT: "store/find_agents",
    vocab.TASK: "store/find_tasks",
    vocab.WORKFLOW: "store/find_workflows",
    vocab.CAMPAIGN: "store/find_campaigns",
    vocab.PLAN: "store/find_plans",
    vocab.PERSON: "store/find_persons",
    vocab.SOFTWARE_AGENT: "store/find_software_agents",
}
# (label, property) -> statement using that property's index; tried in this order.
INDEXED_FIND_STATEMENTS: dict[tuple[str, str], str] = {
    (vocab.TASK, "workflow_id"): "store/find_tasks_by_workflow_id",
    (vocab.TASK, "activity_id"): "store/find_tasks_by_activity_id",
    (vocab.TASK, "status"): "store/find_tasks_by_status",
    (vocab.WORKFLOW, "name"): "store/find_workflows_by_name",
}
PAGE_NODES: dict[str, str] = {
    vocab.ACTIVITY: "store/page_activities",
    vocab.ENTITY: "store/page_entities",
    vocab.AGENT: "store/page_agents",
}
PAGE_OUT_EDGES: dict[str, str] = {
    vocab.ACTIVITY: "store/page_activities_out_edges",
    vocab.ENTITY: "store/page_entities_out_edges",
    vocab.AGENT: "store/page_agents_out_edges",
}
NO_LIMIT = 2**63 - 1


def ordered_labels(labels: Sequence[str]) -> list[str]:
    """Labels general-first, as in prov_model (``["Activity", "Task"]``)."""
    return sorted(labels, key=lambda label: (_LABEL_RANK.get(label, len(_LABEL_RANK)), label))


def node_record(row: Mapping[str, Any]) -> NodeRecord:
    """``{"id", "labels", "props"}`` from a row with ``id``, ``labels`` and ``props`` (all
    properties); ``props`` leaves ``id`` out, as ``prov_model.Node.props`` does."""
    props = {key: value for key, value in row["props"].items() if key != "id"}
    return {"id": row["id"], "labels": ordered_labels(row["labels"]), "props": props}


class Neo4jReads:
    """Read methods of the Neo4j store over two primitives the store class provides:
    ``_fetch(name, params)`` (one read transaction, every row as a dict) and
    ``_stream(name, params)`` (rows of one read query, lazily)."""

    page_size: int = 1000

    def _fetch(self, name: str, params: dict[str, Any]) -> list[Row]:
        raise NotImplementedError

    def _stream(self, name: str, params: dict[str, Any]) -> Iterator[Row]:
        raise NotImplementedError

    # --- nodes and edges ---------------------------------------------------------------------

    def get_node(self, node_id: str) -> NodeRecord | None:
        if not isinstance(node_id, str):
            raise StoreError(f"node id must be a string, got {type(node_id).__name__}")
        rows = self._fetch(
            "store/node_by_id", {"id": node_id, "label": None, "where": {}, "absent": []}
        )
        return node_record(rows[0]) if rows else None

    def find_nodes(
        self, label: str, where: Mapping[str, Any] | None = None, limit: int | None = None
    ) -> list[NodeRecord]:
        check_label(label)
        equal, absent = split_where(where)
        if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool)
                                  or limit < 0):
            raise StoreError(f"limit must be a non-negative int or None, got {limit!r}")
        if limit == 0:
            return []
        if "id" in absent:
            return []
        params: dict[str, Any] = {"where": equal, "absent": absent}
        if "id" in equal:
            if not isinstance(equal["id"], str):
                return []
            params.update(id=equal["id"], label=label)
            return [node_record(row) for row in self._fetch("store/node_by_id", params)]
        name = FIND_STATEMENTS[label]
        for (indexed_label, prop), statement in INDEXED_FIND_STATEMENTS.items():
            if indexed_label == label and prop in equal:
                name = statement
                break
        params["limit"] = NO_LIMIT if limit is None else limit
        return [node_record(row) for row in self._fetch(name, params)]

    def edges(
        self, node_id: str, direction: str = "both", types: tuple[str, ...] | None = None
    ) -> list[EdgeRecord]:
        check_direction(direction)
        rows = self._fetch(
            "store/edges",
            {"id": node_id, "direction": direction, "types": _type_list(types)},
        )
        return [
            {"type": row["type"], "src": row["src"], "dst": row["dst"], "props": row["props"]}
            for row in rows
        ]

    def counts(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {"nodes": {}, "edges": {}}
        for row in self._fetch("store/counts", {}):
            if row["count"]:
                out["nodes" if row["kind"] == "node" else "edges"][row["name"]] = row["count"]
        return out

    # --- streaming ---------------------------------------------------------------------------

    def iter_nodes(self, labels: tuple[str, ...] | None = None) -> Iterator[NodeRecord]:
        wanted = None if labels is None else [check_label(label) for label in labels]
        scan = GENERAL_LABELS if wanted is None else tuple(
            general for general in GENERAL_LABELS
            if any(GENERAL_OF[label] == general for label in wanted)
        )
        done: list[str] = []
        for general in GENERAL_LABELS:
            if general in scan:
                after = ""
                while True:
                    page = 0
                    for row in self._stream(PAGE_NODES[general], {
                        "after": after, "labels": wanted, "done": done,
                        "limit": self.page_size,
                    }):
                        page += 1
                        after = row["id"]
                        yield node_record(row)
                    if page < self.page_size:
                        break
            done.append(general)

    def iter_edges(self, types: tuple[str, ...] | None = None) -> Iterator[EdgeRecord]:
        type_list = _type_list(types)
        done: list[str] = []
        for general in GENERAL_LABELS:
            after = ""
            while True:
                keys: set[str] = set()
                for row in self._stream(PAGE_OUT_EDGES[general], {
                    "after": after, "done": done, "types": type_list, "limit": self.page_size,
                }):
                    keys.add(row["key"])
                    after = row["key"]
                    if row["type"] is not None:
                        yield {"type": row["type"], "src": row["key"], "dst": row["dst"],
                               "props": row["props"]}
                if len(keys) < self.page_size:
                    break
            done.append(general)


def _type_list(types: Sequence[str] | None) -> list[str] | None:
    if types is None:
        return None
    if isinstance(types, str) or not all(isinstance(t, str) for t in types):
        raise StoreError(f"types must be a tuple of relationship type names, got {types!r}")
    return list(types)


__all__ = ["Neo4jReads", "node_record", "ordered_labels"]
