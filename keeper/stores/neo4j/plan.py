"""The Neo4j write plan: which part of a delta can be CREATEd, which must be MERGEd.

A MERGE looks its pattern up, locks, and looks it up again; for the common case, a task
seen for the first time with its values and edges, there is nothing to merge with. So a
write first *probes* (one index seek per id, in the write transaction): which of the
delta's tasks and shared entities are stored already. Then:

* new tasks, the usage-local entities of new tasks, and new shared entities are CREATEd
  (``cypher/ingest/create_*``), and so is every edge with a new endpoint: a node that did
  not exist has no edges;
* everything else (tasks sent again, stubs, workflows, plans, agents, edges between
  stored nodes) goes through the MERGE statements and their merge rule (:mod:`.rows`).

Idempotence is kept: a redelivered batch finds its tasks stored and takes the MERGE path.
A task or entity created by another transaction between the probe and the CREATE makes the
CREATE fail on the id constraint; the store then writes the whole delta with the MERGE
statements (``known=None`` here).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from keeper.stores.neo4j.rows import EDGE_STATEMENTS, NODE_STATEMENTS, Row
from prov_model.entities import CONTENT_ID_PREFIX
from prov_model.graph import GraphDelta
from prov_model.vocab import (
    ENTITY,
    TASK,
    USED,
    WAS_ASSOCIATED_WITH,
    WAS_GENERATED_BY,
    WAS_INFORMED_BY,
    WAS_PART_OF,
)

CREATE_TASKS = "ingest/create_tasks"
CREATE_ENTITIES = "ingest/create_entities"
CREATE_EDGES: dict[str, str] = {
    USED: "ingest/create_used",
    WAS_GENERATED_BY: "ingest/create_was_generated_by",
    WAS_INFORMED_BY: "ingest/create_was_informed_by",
    WAS_ASSOCIATED_WITH: "ingest/create_was_associated_with",
    WAS_PART_OF: "ingest/create_was_part_of",
}
PROBE_TASKS = "probe/stored_tasks"
PROBE_ENTITIES = "probe/stored_entities"


@dataclass
class Stored:
    """What the probe found stored before this write."""

    tasks: set[str] = field(default_factory=set)
    entities: set[str] = field(default_factory=set)


def probe_ids(delta: GraphDelta) -> tuple[list[str], list[str]]:
    """The ids to probe: the delta's tasks and its shared (content-addressed) entities."""
    tasks = [n.id for n in delta.nodes if n.labels[-1] == TASK]
    entities = [n.id for n in delta.nodes
                if n.labels[-1] == ENTITY and n.id.startswith(CONTENT_ID_PREFIX)]
    return tasks, entities


def new_node_ids(delta: GraphDelta, stored: Stored) -> set[str]:
    """Ids of the delta's nodes that cannot exist yet: tasks and shared entities the probe
    did not find, and the usage-local entities of those tasks."""
    new: set[str] = set()
    for node in delta.nodes:
        label = node.labels[-1]
        if label == TASK:
            if node.id not in stored.tasks:
                new.add(node.id)
        elif (label == ENTITY and node.id.startswith(CONTENT_ID_PREFIX)
              and node.id not in stored.entities):
            new.add(node.id)
    for edge in delta.edges:
        # A usage-local entity's id starts with its task's id (prov_model/entities.py).
        if edge.type == USED and edge.src in new and _local_of(edge.dst, edge.src):
            new.add(edge.dst)
        elif edge.type == WAS_GENERATED_BY and edge.dst in new and _local_of(edge.src, edge.dst):
            new.add(edge.src)
    return new


def _local_of(entity_id: str, task_id: str) -> bool:
    return not entity_id.startswith(CONTENT_ID_PREFIX) and entity_id.startswith(task_id + "/")


def write_rows(delta: GraphDelta, stored: Stored | None) -> list[tuple[str, list[Row]]]:
    """``[(statement, rows)]`` in execution order (nodes, then edges; CREATEs first).

    ``stored=None``: everything through the MERGE statements.
    """
    new = new_node_ids(delta, stored) if stored is not None else set()
    creates: dict[str, list[Row]] = {CREATE_TASKS: [], CREATE_ENTITIES: []}
    merges: dict[str, list[Row]] = {name: [] for name in NODE_STATEMENTS.values()}
    for node in delta.nodes:
        row = {"id": node.id, "props": node.props}
        if node.id in new:
            creates[CREATE_TASKS if node.labels[-1] == TASK else CREATE_ENTITIES].append(row)
        else:
            merges[NODE_STATEMENTS[node.labels[-1]]].append(row)
    edge_creates: dict[str, list[Row]] = {name: [] for name in CREATE_EDGES.values()}
    edge_merges: dict[str, list[Row]] = {name: [] for name in EDGE_STATEMENTS.values()}
    for edge in delta.edges:
        row = {"src": edge.src, "dst": edge.dst, "props": edge.props}
        if edge.src in new or edge.dst in new:
            edge_creates[CREATE_EDGES[edge.type]].append(row)
        else:
            edge_merges[EDGE_STATEMENTS[edge.type]].append(row)
    ordered = [*creates.items(), *merges.items(), *edge_creates.items(), *edge_merges.items()]
    return [(name, rows) for name, rows in ordered if rows]
