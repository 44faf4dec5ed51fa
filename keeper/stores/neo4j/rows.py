"""The Neo4j store's write side: a :class:`GraphDelta` grouped into parameter rows for the
named Cypher statements of ``cypher/ingest/``.

Row shapes (cypher/README.md):

* node statements: ``{"id": str, "props": {...}}``
* edge statements: ``{"src": str, "dst": str, "props": {...}}``

Each statement is run as ``tx.run(cypher.load(name), rows=rows)`` (parameter ``$rows``), in
the order :func:`statement_rows` returns: nodes first, then edges. :mod:`.plan` decides
which rows go here and which are CREATEd. Within one statement's rows, node ids are unique and
edges are unique per (src, dst, role): the ``DeltaBuilder`` already merged repeats, and the
task merge statement relies on it (Neo4j plans it with an Eager step, so two rows for one id
in the same call would not see each other's writes in every part of the rule). Labels and
relationship types cannot be Cypher parameters, hence one statement per node label set and
per relationship type.
"""

from __future__ import annotations

from typing import Any

from prov_model.delta import GraphDelta
from prov_model.vocab import (
    CAMPAIGN,
    ENTITY,
    PERSON,
    PLAN,
    SOFTWARE_AGENT,
    TASK,
    USED,
    WAS_ASSOCIATED_WITH,
    WAS_GENERATED_BY,
    WAS_INFORMED_BY,
    WAS_PART_OF,
    WORKFLOW,
)

Row = dict[str, Any]

# Primary label -> node statement.
NODE_STATEMENTS: dict[str, str] = {
    CAMPAIGN: "ingest/merge_campaigns",
    WORKFLOW: "ingest/merge_workflows",
    TASK: "ingest/merge_tasks",
    PLAN: "ingest/merge_plans",
    ENTITY: "ingest/merge_entities",
    PERSON: "ingest/merge_persons",
    SOFTWARE_AGENT: "ingest/merge_software_agents",
}

# Relationship type -> edge statement.
EDGE_STATEMENTS: dict[str, str] = {
    USED: "ingest/merge_used",
    WAS_GENERATED_BY: "ingest/merge_was_generated_by",
    WAS_INFORMED_BY: "ingest/merge_was_informed_by",
    WAS_ASSOCIATED_WITH: "ingest/merge_was_associated_with",
    WAS_PART_OF: "ingest/merge_was_part_of",
}

INGEST_ORDER: tuple[str, ...] = (*NODE_STATEMENTS.values(), *EDGE_STATEMENTS.values())


def statement_rows(delta: GraphDelta) -> dict[str, list[Row]]:
    """``{statement name: rows}`` for ``delta``, in execution order, empty statements left out:
    the write of a delta through the MERGE statements only (value flow is :mod:`.value_flow`).
    """
    grouped: dict[str, list[Row]] = {name: [] for name in INGEST_ORDER}
    for node in delta.nodes:
        grouped[NODE_STATEMENTS[node.labels[-1]]].append({"id": node.id, "props": node.props})
    for edge in delta.edges:
        grouped[EDGE_STATEMENTS[edge.type]].append(
            {"src": edge.src, "dst": edge.dst, "props": edge.props}
        )
    return {name: rows for name, rows in grouped.items() if rows}


def chunked(rows: list[Row], size: int) -> list[list[Row]]:
    """``rows`` cut into pieces of at most ``size`` (for ``Neo4jSettings.batch_size``)."""
    if size <= 0:
        return [rows]
    return [rows[i : i + size] for i in range(0, len(rows), size)]
