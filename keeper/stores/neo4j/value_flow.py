"""Value-flow ``WAS_INFORMED_BY`` for the Neo4j store, computed by the keeper.

The rule is :func:`prov_model.derive.derive_informed_by` (the embedded store runs it too):
a batch task that USED a shared entity is linked to the tasks that generated it, and the
tasks that USED an entity a batch task generated are linked to that task; an entity with
more than ``VALUE_FLOW_MAX_FANOUT`` generator edges links nothing.

The keeper knows most of the answer from the delta: a shared entity that was not stored
before this write (the probe says so, :mod:`.plan`) has only the delta's edges. Only the
entities stored before are looked up, after this batch's edges are written and in the same
transaction, with one statement per side (``cypher/probe/value_flow_*``). So a batch of new
tasks producing new values costs no lookup at all.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from keeper.stores.neo4j.rows import Row
from prov_model.delta import GraphDelta
from prov_model.derive import VALUE_FLOW_MAX_FANOUT, derive_informed_by, value_flow_candidates
from prov_model.entities import CONTENT_ID_PREFIX
from prov_model.vocab import TASK, USED, WAS_GENERATED_BY

GENERATORS = "probe/value_flow_generators"
CONSUMERS = "probe/value_flow_consumers"
DERIVED = {"derived": True}

# (statement, params) -> rows: one read in the write transaction.
Fetch = Callable[[str, dict[str, Any]], list[dict[str, Any]]]


def derived_rows(delta: GraphDelta, stored_entities: set[str] | None, fetch: Fetch,
                 max_fanout: int = VALUE_FLOW_MAX_FANOUT) -> list[Row]:
    """Rows for ``ingest/merge_was_informed_by``: the value-flow edges this delta adds.

    ``stored_entities``: the shared entities stored before the write (``None``: unknown,
    look every one up). ``fetch`` runs a probe statement in the write transaction, after
    the delta's nodes and edges are written.
    """
    consumers, producers = value_flow_candidates(delta)
    if not consumers and not producers:
        return []
    tasks = {n.id for n in delta.nodes if n.labels[-1] == TASK}
    used: dict[str, list[str]] = defaultdict(list)  # task -> shared entities it USED
    made: dict[str, list[str]] = defaultdict(list)  # task -> shared entities it generated
    generators: dict[str, list[str]] = defaultdict(list)  # entity -> activities, one per edge
    users: dict[str, list[str]] = defaultdict(list)  # entity -> activities that USED it
    for edge in delta.edges:
        if edge.type == USED and edge.dst.startswith(CONTENT_ID_PREFIX):
            used[edge.src].append(edge.dst)
            users[edge.dst].append(edge.src)
        elif edge.type == WAS_GENERATED_BY and edge.src.startswith(CONTENT_ID_PREFIX):
            made[edge.dst].append(edge.src)
            generators[edge.src].append(edge.dst)
    counts = {entity: len(activities) for entity, activities in generators.items()}

    def stored(ids: Iterable[str]) -> list[str]:
        return [e for e in dict.fromkeys(ids) if stored_entities is None or e in stored_entities]

    # A stored entity's edges are the graph's (which include this delta's): look them up.
    for statement, ids, into in (
        (GENERATORS, stored(e for t in consumers for e in used[t]), generators),
        (CONSUMERS, stored(e for t in producers for e in made[t]), users),
    ):
        if not ids:
            continue
        for row in fetch(statement, {"ids": ids, "max_fanout": max_fanout}):
            counts[row["id"]] = row["n"]
            into[row["id"]] = [activity for activity, _ in row["activities"]]
            tasks.update(activity for activity, is_task in row["activities"] if is_task)

    pairs = derive_informed_by(
        consumers, producers,
        used_entities=lambda t: used.get(t, ()),
        generated_entities=lambda t: made.get(t, ()),
        generators=lambda e: generators.get(e, ()),
        consumers=lambda e: users.get(e, ()),
        is_task=tasks.__contains__,
        max_fanout=max_fanout,
        generator_count=lambda e: counts.get(e, 0),
    )
    return [{"src": t2, "dst": t1, "props": DERIVED} for t2, t1 in sorted(pairs)]
