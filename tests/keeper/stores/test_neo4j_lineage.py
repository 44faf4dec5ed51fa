"""The plans of the lineage statements on the real server: each starts from an index seek
and expands a bounded number of hops (no label or index scan, no whole-graph scan, no
var-length but the walks' pruning one), also when the statistics say the asked-for
workflow is large."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest

import cypher
from keeper.stores.neo4j import Neo4jStore
from provgraph.core.config import get_settings

pytestmark = pytest.mark.integration

PARAMS: dict[str, dict[str, Any]] = {
    "lineage/upstream_edges": {"ids": ["t1"], "limit": 10},
    "lineage/downstream_edges": {"ids": ["t1"], "limit": 10},
    "lineage/nodes_by_ids": {"ids": ["t1"]},
    "lineage/neighbourhood": {"ids": ["t1"], "limit": 10},
    "lineage/workflow_tasks": {"workflow_id": "wf", "limit": 10},
    "lineage/entity_users": {"id": "e:1", "limit": 10},
    "lineage/campaign_workflows": {"id": "c", "limit": 10},
    "lineage/task_counts": {"workflow_ids": ["wf"]},
    "lineage/activity_links": {"workflow_id": "wf"},
    "lineage/walk_upstream": {"id": "t1", "limit": 10},
    "lineage/walk_downstream": {"id": "t1", "limit": 10},
    "lineage/crossings_upstream": {"workflow_id": "wf", "limit": 10},
    "lineage/crossings_downstream": {"workflow_id": "wf", "limit": 10},
}
WALKS = ("lineage/walk_upstream", "lineage/walk_downstream")
SCANS = ("AllNodesScan", "NodeByLabelScan", "NodeIndexScan", "VarLengthExpand", "ShortestPath",
         "DirectedAllRelationshipsScan", "UndirectedAllRelationshipsScan",
         "DirectedRelationshipTypeScan", "UndirectedRelationshipTypeScan")


# Statistics like a real store's, whatever earlier tests left: many workflows, one of them
# ("wf") with values that 3,000 tasks of other workflows used. On the leftovers of a test
# run alone (nearly every task in "wf") the planner is right to scan instead of seek.
SEED = """
UNWIND range(1, 3000) AS i
MERGE (t:Task {id: 'plan-seed-t' + (i % 300)})
  ON CREATE SET t.workflow_id = 'wf'
CREATE (e:Entity {id: 'plan-seed-e' + i})-[:WAS_GENERATED_BY]->(t)
CREATE (:Task {id: 'plan-seed-u' + i, workflow_id: 'plan-seed-w' + i})-[:USED]->(e)
"""
UNSEED = "MATCH (n) WHERE n.id STARTS WITH 'plan-seed-' DETACH DELETE n"
FRESH_STATISTICS = ("CALL db.awaitIndexes()", "CALL db.resampleOutdatedIndexes()",
                    "CALL db.awaitIndexes()", "CALL db.clearQueryCaches()")


@pytest.fixture(scope="module")
def store() -> Iterator[Neo4jStore]:
    opened = Neo4jStore.from_settings(copy.deepcopy(get_settings()))
    with opened._session(write=True) as session:
        session.run(SEED).consume()
        for statement in FRESH_STATISTICS:
            session.run(statement).consume()
    yield opened
    with opened._session(write=True) as session:
        session.run(UNSEED).consume()
    opened.close()


def operators(plan: dict[str, Any]) -> Iterator[str]:
    yield plan["operatorType"].split("@")[0]
    for child in plan.get("children", ()):
        yield from operators(child)


def described(plan: dict[str, Any], depth: int = 0) -> str:
    """The plan as EXPLAIN prints it, for a failure message."""
    line = "  " * depth + plan["operatorType"].split("@")[0] + " " + str(
        plan.get("args", {}).get("Details", ""))
    return "\n".join([line, *(described(c, depth + 1) for c in plan.get("children", ()))])


def test_every_new_lineage_statement_is_planned_here() -> None:
    assert set(cypher.names("lineage/")) == set(PARAMS)


@pytest.mark.parametrize("name", sorted(PARAMS))
def test_plans_seek_an_index_and_never_scan(store: Neo4jStore, name: str) -> None:
    with store._session() as session:
        summary = session.run("EXPLAIN " + cypher.load(name), PARAMS[name]).consume()
    found = list(operators(summary.plan))
    assert not [op for op in found if op in SCANS], described(summary.plan)
    var_length = [op for op in found if "VarLengthExpand" in op]
    if name in WALKS:  # breadth first, each node once: never one row per path
        assert var_length and all("Pruning" in op for op in var_length), described(
            summary.plan)
    else:
        assert not var_length, described(summary.plan)
    assert any("IndexSeek" in op or "Unique" in op for op in found), (name, found)
