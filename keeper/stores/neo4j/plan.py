"""The Neo4j write plan: which part of a delta can be CREATEd, which must be MERGEd.

A MERGE looks its pattern up, locks, and looks it up again; for the common case, a task
seen for the first time with its values and edges, there is nothing to merge with. So a
write first *probes* (one index seek per id, in the write transaction): which of the
delta's tasks and shared entities are stored already. Then:

* new tasks, the usage-local entities of new tasks, and new shared entities are CREATEd
  (``cypher/ingest/create_*``), and so is every edge with a new endpoint: a node that did
  not exist has no edges. The new tasks are one statement (``create_task_batch``) that
  creates each with its part-of edge, its new values and its other usages and
  generations, looking the few nodes they point at up once for the whole batch;
* everything else (tasks sent again, stubs, workflows, plans, agents, edges between
  stored nodes) goes through the MERGE statements and their merge rule (:mod:`.rows`).

Idempotence is kept: a redelivered batch finds its tasks stored and takes the MERGE path.
A task or entity created by another transaction between the probe and the CREATE makes the
CREATE fail on the id constraint; the store then writes the whole delta with the MERGE
statements (``stored=None`` here).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from keeper.stores.neo4j.rows import EDGE_STATEMENTS, NODE_STATEMENTS, Row
from prov_model.delta import Edge, GraphDelta
from prov_model.entities import CONTENT_ID_PREFIX
from prov_model.vocab import (
    ENTITY,
    TASK,
    USED,
    WAS_ASSOCIATED_WITH,
    WAS_GENERATED_BY,
    WAS_INFORMED_BY,
    WAS_PART_OF,
)

CREATE_TASK_BATCH = "ingest/create_task_batch"
CREATE_ENTITIES = "ingest/create_entities"
CREATE_USED_ENTITIES = "ingest/create_used_entities"
CREATE_GENERATED_ENTITIES = "ingest/create_generated_entities"
CREATE_EDGES: dict[str, str] = {
    USED: "ingest/create_used",
    WAS_GENERATED_BY: "ingest/create_was_generated_by",
    WAS_INFORMED_BY: "ingest/create_was_informed_by",
    WAS_ASSOCIATED_WITH: "ingest/create_was_associated_with",
    WAS_PART_OF: "ingest/create_was_part_of",
}
# Execution order: every node before the edges; the new tasks after every other node
# statement (their parents and the entities they point at are written there); entities
# created with their edges after their activities.
ORDER: tuple[str, ...] = (
    CREATE_ENTITIES, *NODE_STATEMENTS.values(), CREATE_TASK_BATCH,
    CREATE_USED_ENTITIES, CREATE_GENERATED_ENTITIES, *CREATE_EDGES.values(),
    *EDGE_STATEMENTS.values(),
)
PROBE_TASKS = "probe/stored_tasks"
PROBE_ENTITIES = "probe/stored_entities"


@dataclass
class Stored:
    """What the probe found stored before this write."""

    tasks: set[str] = field(default_factory=set)
    entities: set[str] = field(default_factory=set)


@dataclass
class Statement:
    """One statement of a write: its rows, and the parameters every chunk of them shares."""

    name: str
    rows: list[Row]
    params: dict[str, Any] = field(default_factory=dict)


def expected_creates(name: str, rows: list[Row]) -> tuple[int, int] | None:
    """(nodes, relationships) the rows of a CREATE-after-lookup statement must create, or
    None for a statement without that check: a lookup that found nothing would otherwise
    drop a row (or an edge) silently."""
    if name == CREATE_TASK_BATCH:
        values = sum(len(r["used_new"]) + len(r["made_new"]) for r in rows)
        links = sum((r["parent"] is not None) + len(r["uses"]) + len(r["made"]) for r in rows)
        return len(rows) + values, values + links
    if name in (CREATE_USED_ENTITIES, CREATE_GENERATED_ENTITIES):
        return len(rows), len(rows)
    return None


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


def statements(delta: GraphDelta, stored: Stored | None) -> list[Statement]:
    """The write's statements in execution order (nodes, then edges; CREATEs first).

    ``stored=None``: everything through the MERGE statements. Otherwise every new task is a
    row of ``create_task_batch``, with its one part-of edge (to a node that is not itself a
    new task), the new entities whose only edge is its usage or generation, and its edges
    to other entities, so that no row looks anything up. A new entity whose only edge
    belongs to a stored activity is created with that edge (``create_used_entities``,
    ``create_generated_entities``).
    """
    new = new_node_ids(delta, stored) if stored is not None else set()
    degree: Counter[str] = Counter()
    part_of: dict[str, list[Edge]] = defaultdict(list)
    for edge in delta.edges:
        degree[edge.src] += 1
        degree[edge.dst] += 1
        if edge.type == WAS_PART_OF and edge.src in new:
            part_of[edge.src].append(edge)
    kinds = {node.id: node.labels[-1] for node in delta.nodes}
    folded = {task: edges[0].dst for task, edges in part_of.items()
              if len(edges) == 1 and not (edges[0].dst in new and kinds.get(edges[0].dst)
                                          == TASK)}
    inline = {i for i in new if kinds.get(i) == ENTITY and degree[i] == 1}
    entity_props = {node.id: node.props for node in delta.nodes if node.id in inline}
    activities: dict[str, int] = {}  # id -> position in the batch's $activities
    entities: dict[str, int] = {}

    groups: dict[str, list[Row]] = defaultdict(list)
    tasks: dict[str, Row] = {}
    for node in delta.nodes:
        if node.id in inline:
            continue
        if node.id in new and node.labels[-1] == TASK:
            parent = folded.get(node.id)
            at = None if parent is None else activities.setdefault(parent, len(activities))
            tasks[node.id] = {"id": node.id, "props": node.props, "parent": at,
                              "used_new": [], "made_new": [], "uses": [], "made": []}
        elif node.id in new:
            groups[CREATE_ENTITIES].append({"id": node.id, "props": node.props})
        else:
            groups[NODE_STATEMENTS[node.labels[-1]]].append({"id": node.id, "props": node.props})
    for edge in delta.edges:
        if edge.type == WAS_PART_OF and folded.get(edge.src) == edge.dst:
            continue
        if edge.type == USED and edge.src in tasks:
            _attach(tasks[edge.src], "used_new", "uses", edge.dst, edge.props, entity_props,
                    entities)
        elif edge.type == WAS_GENERATED_BY and edge.dst in tasks:
            _attach(tasks[edge.dst], "made_new", "made", edge.src, edge.props, entity_props,
                    entities)
        elif edge.dst in inline and edge.type == USED:
            groups[CREATE_USED_ENTITIES].append(
                {"src": edge.src, "props": edge.props,
                 "entity": {"id": edge.dst, "props": entity_props[edge.dst]}})
        elif edge.src in inline and edge.type == WAS_GENERATED_BY:
            groups[CREATE_GENERATED_ENTITIES].append(
                {"dst": edge.dst, "props": edge.props,
                 "entity": {"id": edge.src, "props": entity_props[edge.src]}})
        elif edge.src in new or edge.dst in new:
            groups[CREATE_EDGES[edge.type]].append(
                {"src": edge.src, "dst": edge.dst, "props": edge.props})
        else:
            groups[EDGE_STATEMENTS[edge.type]].append(
                {"src": edge.src, "dst": edge.dst, "props": edge.props})
    if tasks:
        groups[CREATE_TASK_BATCH] = list(tasks.values())
    shared = {"activities": list(activities), "entities": list(entities)}
    return [Statement(name, groups[name], shared if name == CREATE_TASK_BATCH else {})
            for name in ORDER if groups.get(name)]


def _attach(task: Row, new_key: str, stored_key: str, entity: str, props: dict[str, Any],
            entity_props: dict[str, dict[str, Any]], entities: dict[str, int]) -> None:
    """A usage or generation of a new task: with its entity when that is created here."""
    if entity in entity_props:
        task[new_key].append({"id": entity, "props": entity_props[entity], "edge": props})
    else:
        task[stored_key].append({"node": entities.setdefault(entity, len(entities)),
                                 "edge": props})
