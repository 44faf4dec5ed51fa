"""The cache's record in the PROV graph: an uncached run and a cached run of the same
workflow, kept by an in-process keeper in the embedded store and (integration) in Neo4j
through Redis."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from capture import Flowcept, recorder
from keeper.stores.base import Store
from provgraph import workflow
from provgraph.core.config import Settings, get_settings
from provgraph.workflow import (
    DefaultWorkflowExecutor,
    FilesystemWorkflowCache,
    WorkflowGraph,
    WorkflowStepError,
)
from provgraph.workflow.why import explain_last, recorded_runs
from tests.keeper.conftest import pipeline  # noqa: F401 (the fixture: embedded, and Neo4j)


@workflow.step
def p_dataset(size: int) -> list[int]:
    return list(range(size))


@workflow.step
def p_total(values: list[int]) -> int:
    return sum(values)


CONFIG = {"steps": {"dataset": {"type": "p_dataset", "size": 20},
                    "total": {"type": "p_total", "values": {"type": "ref", "ref": "dataset"}}}}


def _step_tasks(store: Store) -> list[dict[str, Any]]:
    return [n for n in store.find_nodes("Task", {"subtype": "workflow_step"})]


def _edges(store: Store, node_id: str, kind: str, direction: str = "out") -> set[str]:
    return {e["dst"] if direction == "out" else e["src"]
            for e in store.edges(node_id, direction, (kind,))}


def test_the_graph_holds_a_run_and_its_cache_hits(pipeline: tuple[Settings, Store],  # noqa: F811
                                                  tmp_path: Path) -> None:
    _, store = pipeline
    cache = FilesystemWorkflowCache(tmp_path / "cache")
    graph = WorkflowGraph.from_config(CONFIG, source="/configs/sum.jsonnet")
    first = DefaultWorkflowExecutor()(graph, cache=cache)
    second = DefaultWorkflowExecutor()(graph, cache=cache)
    assert [o.status for o in first.outcomes.values()] == ["ran", "ran"]
    assert [o.status for o in second.outcomes.values()] == ["cached", "cached"]

    workflows = store.find_nodes("Workflow", {"subtype": "cached_steps"})
    assert {w["id"] for w in workflows} == {first.workflow_id, second.workflow_id}
    assert all(w["props"]["status"] == "FINISHED" for w in workflows)
    assert {w["props"]["name"] for w in workflows} == {"workflow:sum.jsonnet"}

    tasks = {t["id"]: t for t in _step_tasks(store)}
    assert len(tasks) == 4
    ran = {first.outcomes[n].task_id: n for n in ("dataset", "total")}
    hits = {second.outcomes[n].task_id: n for n in ("dataset", "total")}
    assert set(tasks) == set(ran) | set(hits)
    for task_id, name in {**ran, **hits}.items():
        props = tasks[task_id]["props"]
        assert props["activity_id"] == name and props["status"] == "FINISHED"
        assert props["tags"] == ["workflow_step", "executed" if task_id in ran else "cache_hit"]
        assert props["plan_id"].startswith(f"plan:{__name__}:p_{name}@")
    producer = {name: task_id for task_id, name in ran.items()}

    # Uncached run: the total used the dataset's result, which the dataset task generated.
    dataset_value = first.outcomes["dataset"].content_id
    assert dataset_value is not None and dataset_value.startswith("cid:")
    total_used = _edges(store, producer["total"], "USED")
    value_entities = _edges(store, producer["dataset"], "WAS_GENERATED_BY", "in")
    shared = total_used & value_entities
    assert len(shared) == 1
    assert _edges(store, producer["total"], "WAS_INFORMED_BY") == {producer["dataset"]}

    # Cached run: each hit is linked to the task that produced the value it serves.
    for task_id, name in hits.items():
        assert producer[name] in _edges(store, task_id, "WAS_INFORMED_BY")
        assert second.outcomes[name].produced_by == producer[name]
    hit_total = second.outcomes["total"].task_id
    assert hit_total is not None
    upstream = {hit["id"] for hit in store.upstream(hit_total, 5)}
    assert {producer["total"], producer["dataset"]} <= upstream

    # The recorded fingerprint parts are what `why` reads.
    runs = recorded_runs(Flowcept.db, "total", config="/configs/sum.jsonnet")
    assert [r["task_id"] for r in runs] == [producer["total"], hit_total]
    assert runs[0]["custom_metadata"]["workflow_step"]["fingerprint"] == \
        second.outcomes["total"].fingerprint
    explanation = explain_last("total", runs)
    assert "was served from the cache" in explanation.verdict
    assert producer["total"] in explanation.verdict


def test_inside_a_flowcept_run_an_execution_is_a_child_workflow(tmp_path: Path) -> None:
    graph = WorkflowGraph.from_config(CONFIG)
    with Flowcept(workflow_name="outer", start_persistence=False) as outer:
        ctx = DefaultWorkflowExecutor()(graph, cache=FilesystemWorkflowCache(tmp_path))
        assert Flowcept.current_workflow_id == outer.current_workflow_id
    messages = outer.get_buffer()
    child = [m for m in messages if m["type"] == "workflow" and m.get("subtype") == "cached_steps"]
    assert child[0]["parent_workflow_id"] == outer.current_workflow_id
    assert child[0]["workflow_id"] == ctx.workflow_id != outer.current_workflow_id
    steps = [m for m in messages if m["type"] == "task" and m.get("status") == "FINISHED"]
    assert {m["activity_id"] for m in steps} == {"dataset", "total"}
    assert {m["workflow_id"] for m in steps} == {ctx.workflow_id}
    raw = [orjson.loads(line) for line in get_settings().buffer_file.read_bytes().splitlines()]
    ended = [m for m in raw if m.get("event") == "workflow_end"]
    assert [(m["workflow_id"], m["status"]) for m in ended] == [
        (ctx.workflow_id, "FINISHED"), (outer.current_workflow_id, "FINISHED")]


@workflow.step
def p_fail(x: int) -> int:
    raise ZeroDivisionError("no")


def test_a_failed_execution_ends_its_workflow_with_the_error(tmp_path: Path) -> None:
    graph = WorkflowGraph.from_config({"steps": {"f": {"type": "p_fail", "x": 1}}})
    with pytest.raises(WorkflowStepError):
        DefaultWorkflowExecutor()(graph, cache=FilesystemWorkflowCache(tmp_path),
                                  start_persistence=False)
    recorder.flush()
    raw = [orjson.loads(line) for line in get_settings().buffer_file.read_bytes().splitlines()]
    ended = [m for m in raw if m.get("event") == "workflow_end"]
    assert [(m["status"], m.get("stderr")) for m in ended] == [
        ("ERROR", "WorkflowStepError: step 'f' failed: ZeroDivisionError: no")]
    failed = [m for m in raw if m.get("type") == "task" and m.get("status") == "ERROR"]
    assert [(m["activity_id"], m["stderr"]) for m in failed] == [("f", "ZeroDivisionError: no")]
