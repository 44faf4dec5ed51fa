"""statement_rows: delta -> {statement: rows}, nodes first, then edges (the MERGE-only write)."""

from __future__ import annotations

import cypher
from keeper.stores.neo4j import plan
from keeper.stores.neo4j.rows import (
    EDGE_STATEMENTS,
    INGEST_ORDER,
    NODE_STATEMENTS,
    chunked,
    statement_rows,
)
from prov_model import map_batch
from prov_model.vocab import ALL_LABEL_SETS, EDGE_TYPES
from tests.prov_model.helpers import LONG_A, LONG_B


def batch() -> list[dict[str, object]]:
    return [
        {"type": "workflow", "workflow_id": "w", "campaign_id": "c", "user": "u"},
        {"type": "task", "task_id": "t0", "workflow_id": "w", "activity_id": "f",
         "agent_id": "bot", "generated": {"out": LONG_A, "n": 1}},
        {"type": "task", "task_id": "t1", "workflow_id": "w", "used": {"x": LONG_A, "k": 2},
         "generated": {"y": LONG_B}, "dependencies": ["t0"]},
        {"type": "task", "task_id": "t2", "parent_task_id": "t1", "used": {"k": 2}},
    ]


def test_every_statement_exists() -> None:
    known = set(cypher.names("ingest/"))
    creates = {name for name in plan.ORDER if "/create_" in name}
    assert set(INGEST_ORDER) | creates == known
    assert set(plan.CREATE_EDGES) == set(EDGE_TYPES)
    assert {labels[-1] for labels in ALL_LABEL_SETS} == set(NODE_STATEMENTS)
    assert set(EDGE_TYPES) == set(EDGE_STATEMENTS)


def test_order_nodes_then_edges() -> None:
    rows = statement_rows(map_batch(batch()))
    names = list(rows)
    assert names == [n for n in INGEST_ORDER if n in rows]
    kinds = ["node" if n in NODE_STATEMENTS.values() else
             "edge" if n in EDGE_STATEMENTS.values() else "other" for n in names]
    assert kinds == sorted(kinds, key=["node", "edge"].index)
    assert set(kinds) == {"node", "edge"}


def test_row_shapes() -> None:
    rows = statement_rows(map_batch(batch()))
    for name, items in rows.items():
        assert items, name
        for row in items:
            if name in NODE_STATEMENTS.values():
                assert set(row) == {"id", "props"}
            elif name in EDGE_STATEMENTS.values():
                assert set(row) == {"src", "dst", "props"}
            else:
                assert set(row) == {"id"}
    assert {r["id"] for r in rows["ingest/merge_tasks"]} == {"t0", "t1", "t2"}
    assert {r["id"] for r in rows["ingest/merge_workflows"]} == {"w"}
    assert {r["id"] for r in rows["ingest/merge_campaigns"]} == {"c"}
    assert {r["id"] for r in rows["ingest/merge_persons"]} == {"person:u"}
    assert {r["id"] for r in rows["ingest/merge_software_agents"]} == {"agent:bot"}
    assert {r["id"] for r in rows["ingest/merge_plans"]} == {"plan:f"}
    for row in rows["ingest/merge_used"] + rows["ingest/merge_was_generated_by"]:
        assert isinstance(row["props"]["role"], str)


def test_empty_delta_has_no_statements() -> None:
    assert statement_rows(map_batch([{"type": "control"}])) == {}


def test_chunked() -> None:
    rows = [{"id": str(i)} for i in range(5)]
    assert [len(c) for c in chunked(rows, 2)] == [2, 2, 1]
    assert chunked(rows, 0) == [rows]


def test_ids_unique_per_statement() -> None:
    msgs = batch() + batch() + [{"type": "task", "task_id": "t1", "status": "RUNNING"}]
    rows = statement_rows(map_batch(msgs))
    for name, items in rows.items():
        if name in EDGE_STATEMENTS.values():
            keys = [(r["src"], r["dst"], r["props"].get("role")) for r in items]
        else:
            keys = [r["id"] for r in items]
        assert len(keys) == len(set(keys)), name
