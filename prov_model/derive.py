"""Value-flow ``WAS_INFORMED_BY``: the rule both stores apply after writing a batch.

Rule: when task ``t2`` USED an entity that task ``t1`` generated (``t1 != t2``), the store
adds ``(t2)-[:WAS_INFORMED_BY {derived: true}]->(t1)`` (merging with a declared edge if one
exists). Only shared (content-addressed) entities can link two tasks; usage-local ones never do.

It must hold whatever order the messages arrive in, so after a batch is written it is
applied from both sides, over the *stored* graph:

* as consumer, for every task of the batch that USED a shared entity: link it to every task
  that generated that entity;
* as producer, for every task of the batch that generated a shared entity: link every task
  that USED that entity to it.

:func:`value_flow_candidates` picks those two sets of tasks from a delta; both stores use
it (the Neo4j store to know which tasks can gain value-flow edges).

Fan-out guard: an entity with more than :data:`VALUE_FLOW_MAX_FANOUT` generators links
nothing, on either side: a constant like ``"completed successfully"`` returned by a million
tasks is not lineage, and N generators x M consumers would cost quadratic edges. The number
of consumers is not limited (one dataset produced once and read by 100k tasks gives 100k
edges, each one wanted). Edges derived while an entity was under the limit stay when it
grows past it. Degrees count every activity, tasks and workflows alike.

:func:`derive_informed_by` is that rule over lookup functions: the embedded store looks up
its graph, the Neo4j store the delta and, for entities stored before, the server
(``keeper.stores.neo4j.value_flow``, which passes the limit as ``$max_fanout``).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable

from prov_model.delta import GraphDelta
from prov_model.entities import CONTENT_ID_PREFIX
from prov_model.vocab import TASK, USED, WAS_GENERATED_BY

VALUE_FLOW_MAX_FANOUT = 1000

Lookup = Callable[[str], Collection[str]]


def value_flow_candidates(delta: GraphDelta) -> tuple[list[str], list[str]]:
    """The tasks of ``delta`` that may gain value-flow edges: ``(consumers, producers)``.

    Consumers USED a shared (content-addressed) entity, producers generated one; each list
    in the delta's edge order, without repeats. Usage-local entities can never link two
    tasks, so tasks touching only those are left out.
    """
    task_ids = {node.id for node in delta.nodes if node.labels[-1] == TASK}
    consumers: dict[str, None] = {}
    producers: dict[str, None] = {}
    for edge in delta.edges:
        if edge.type == USED:
            if edge.src in task_ids and edge.dst.startswith(CONTENT_ID_PREFIX):
                consumers[edge.src] = None
        elif (edge.type == WAS_GENERATED_BY and edge.dst in task_ids
              and edge.src.startswith(CONTENT_ID_PREFIX)):
            producers[edge.dst] = None
    return list(consumers), list(producers)


def derive_informed_by(
    consumer_tasks: Iterable[str],
    producer_tasks: Iterable[str],
    *,
    used_entities: Lookup,
    generated_entities: Lookup,
    generators: Lookup,
    consumers: Lookup,
    is_task: Callable[[str], bool],
    max_fanout: int = VALUE_FLOW_MAX_FANOUT,
    generator_count: Callable[[str], int] | None = None,
) -> set[tuple[str, str]]:
    """``(t2, t1)`` pairs meaning ``(t2)-[:WAS_INFORMED_BY]->(t1)``, over the stored graph.

    ``consumer_tasks`` / ``producer_tasks``: the batch's tasks
    (:func:`value_flow_candidates`). Lookups on the stored graph:
    ``used_entities(task)`` entity ids the task USED; ``generated_entities(task)`` entity ids
    with WAS_GENERATED_BY to the task; ``generators(entity)`` / ``consumers(entity)`` the
    activity ids that generated / used the entity (tasks and workflows), one item per edge
    (so a task generating the value under two roles counts twice for the fan-out limit,
    as the Cypher guard counts edges); ``is_task(id)``. ``generator_count(entity)``: the
    number of WAS_GENERATED_BY edges of the entity, when the caller knows it without listing
    them (default: ``len(generators(entity))``).
    """
    count = generator_count or (lambda entity: len(generators(entity)))
    pairs: set[tuple[str, str]] = set()
    for t2 in consumer_tasks:
        for entity in used_entities(t2):
            if not entity.startswith(CONTENT_ID_PREFIX):
                continue
            if count(entity) > max_fanout:
                continue
            for t1 in generators(entity):
                if t1 != t2 and is_task(t1):
                    pairs.add((t2, t1))
    for t1 in producer_tasks:
        for entity in generated_entities(t1):
            if not entity.startswith(CONTENT_ID_PREFIX):
                continue
            if count(entity) > max_fanout:
                continue
            users = consumers(entity)
            for t2 in users:
                if t2 != t1 and is_task(t2):
                    pairs.add((t2, t1))
    return pairs
