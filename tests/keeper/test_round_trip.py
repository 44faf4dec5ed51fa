"""A captured run exported in any format and imported into another store is the same run:
the same document comes out again, and the commands find its workflow, tasks and lineage."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from capture import Flowcept, FlowceptLoop, flowcept_task
from exports import ExportScope, export, import_document
from keeper.lineage import api
from keeper.stores.base import Store, open_store
from keeper.stores.embedded import EmbeddedStore
from provgraph.cli import demo_workflow
from provgraph.core.config import Settings
from tests.keeper.conftest import neo4j_settings

# Turtle and TriG come back with the prefixes rdflib binds by default (an @prefix line
# each); their statements are compared.
FORMATS = ["json", "jsonld", "provn", "xml", "ttl", "trig"]


@flowcept_task(output_names="part")
def inner(x: float) -> float:
    return x * 1.5


@flowcept_task(output_names="whole")
def outer(x: float) -> float:
    return inner(x) + 0.25


@flowcept_task
def fails(x: float) -> float:
    raise ValueError(f"cannot use {x}")


def run_with_failure_loop_and_nesting() -> str:
    with Flowcept(workflow_name="failure-loop-nested") as run:
        loop = FlowceptLoop([1.25, 2.5, 3.75], loop_name="sweep", item_name="x")
        for x in loop:
            loop.end_iter({"y": outer(x)})
        with pytest.raises(ValueError):
            fails(9.5)
    return str(run.current_workflow_id)


def statements(document: bytes, fmt: str) -> list[str]:
    lines = document.decode().splitlines()
    return [line for line in lines if not line.startswith("@prefix")] if fmt in (
        "ttl", "trig") else lines


def micro(value: Any) -> Any:
    """Times travel as xsd:dateTime, to the microsecond: compare them so."""
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, dict):
        return {k: micro(v) for k, v in value.items()}
    if isinstance(value, list):
        return [micro(v) for v in value]
    return value


def same_run(source: Store, copy: Store, workflow_id: str, fmt: str) -> None:
    original = export(source, ExportScope.workflow(workflow_id), fmt)
    assert original is not None
    import_document(copy, io.BytesIO(original), fmt)
    again = export(copy, ExportScope.workflow(workflow_id), fmt)
    assert again is not None
    assert statements(again, fmt) == statements(original, fmt)
    # the commands work on the copy: the workflow, its DAG, its tasks with their ids,
    # labels, statuses and times, and the lineage between them
    assert micro(api.workflow_dag(copy, workflow_id)) == micro(
        api.workflow_dag(source, workflow_id))
    node = copy.get_node(workflow_id)
    assert node is not None and "Workflow" in node["labels"]
    for task in source.find_nodes("Task", {"workflow_id": workflow_id}):
        kept = copy.get_node(task["id"])
        assert kept is not None and kept["labels"] == task["labels"]
        assert micro(kept["props"]) == micro(task["props"]), task["id"]
    assert api.impact_of_failures(copy, workflow_id)["affected_tasks"] == \
        api.impact_of_failures(source, workflow_id)["affected_tasks"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_demo_and_a_failing_looping_nested_run_come_back(
        pipeline: tuple[Settings, Store], tmp_path: Path, fmt: str) -> None:
    demo_workflow.run()  # a first run: the second's tasks are informed across workflows
    demo = demo_workflow.run().current_workflow_id
    other = run_with_failure_loop_and_nesting()
    source = pipeline[1]
    for workflow_id in (str(demo), other):
        copy = EmbeddedStore(tmp_path / f"copy-{workflow_id}")
        try:
            same_run(source, copy, workflow_id, fmt)
        finally:
            copy.close()
    report = next(t for t in Flowcept.db.task_query({"workflow_id": str(demo)})
                  if t["activity_id"] == "write_report")
    assert report["status"] == "FINISHED"


@pytest.mark.integration
def test_embedded_to_neo4j_and_back(pipeline: tuple[Settings, Store], tmp_path: Path,
                                    stream: str) -> None:
    settings, source = pipeline
    if settings.store.kind != "embedded":
        pytest.skip("ships from the embedded store")
    workflow_id = str(demo_workflow.run().current_workflow_id)
    neo4j = open_store(neo4j_settings(tmp_path / "neo", stream))
    neo4j.clear()
    back = EmbeddedStore(tmp_path / "back")
    try:
        same_run(source, neo4j, workflow_id, "json")
        same_run(neo4j, back, workflow_id, "json")
    finally:
        neo4j.clear()
        neo4j.close()
        back.close()
