"""A three-job pipeline emitting run events with the real openlineage-python client (file
transport), imported with ``provgraph import --format openlineage``; a ``@flowcept_task``
reading the pipeline's output file joins the same lineage. Both stores."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from openlineage.client import OpenLineageClient
from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
from openlineage.client.facet_v2 import error_message_run, parent_run
from openlineage.client.transport.file import FileConfig, FileTransport
from openlineage.client.uuid import generate_new_uuid

from capture import Flowcept, flowcept_task
from keeper.stores.base import Store
from provgraph.cli import main
from provgraph.core.config import Settings
from tests.keeper.conftest import pipeline  # noqa: F401 - the fixture (embedded, Neo4j)

NS = "tests.pipelines"
WAREHOUSE = "postgres://warehouse:5432"


def emit_pipeline(events: Path | OpenLineageClient, work: Path) -> dict[str, str]:
    """extract -> transform -> load (load fails), to a file of events or through a client
    of any transport; returns run ids by job and dataset URIs."""
    client = events if isinstance(events, OpenLineageClient) else OpenLineageClient(
        transport=FileTransport(FileConfig(log_file_path=str(events), append=True)))
    parent_id = str(generate_new_uuid())
    parent = parent_run.ParentRunFacet(run=parent_run.Run(runId=parent_id),
                                       job=parent_run.Job(namespace=NS, name="nightly"))
    staged, clean = str(work / "staged.csv"), str(work / "clean.csv")
    steps = [("extract", [("s3://bucket", "raw.csv")], [("file", staged)]),
             ("transform", [("file", staged)], [("file", clean)]),
             ("load", [("file", clean)], [(WAREHOUSE, "analytics.sales")])]
    ids = {"nightly": parent_id, "staged": staged, "clean": clean,
           "sales": f"{WAREHOUSE}/analytics.sales", "raw": "s3://bucket/raw.csv"}
    for second, (name, inputs, outputs) in enumerate(steps):
        run_id = str(generate_new_uuid())
        ids[name] = run_id
        ins = [InputDataset(namespace=n, name=d) for n, d in inputs]
        outs = [OutputDataset(namespace=n, name=d) for n, d in outputs]
        for state, offset in ((RunState.START, 0), (
                RunState.FAIL if name == "load" else RunState.COMPLETE, 30)):
            facets: dict[str, Any] = {"parent": parent}
            if state is RunState.FAIL:
                facets["errorMessage"] = error_message_run.ErrorMessageRunFacet(
                    message="relation analytics.sales is locked", programmingLanguage="SQL")
            client.emit(RunEvent(
                eventType=state, eventTime=f"2024-05-01T10:0{second}:{offset:02d}.000Z",
                run=Run(runId=run_id, facets=facets), job=Job(namespace=NS, name=name),
                inputs=ins, outputs=outs, producer="https://example.org/tests"))
    return ids


@flowcept_task
def summarize(path: str) -> dict[str, Any]:
    with open(path) as handle:
        return {"rows": sum(1 for _ in handle)}


def props(store: Store, node_id: str) -> dict[str, Any]:
    node = store.get_node(node_id)
    assert node is not None, node_id
    return dict(node.get("props", node))


def cli(capsys: Any, *argv: str) -> tuple[int, str]:
    try:
        code = main(list(argv))
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    assert code == 0, err
    return code, out


def test_pipeline_lineage_meets_captured_tasks(
        pipeline: tuple[Settings, Store], tmp_path: Path, capsys: Any) -> None:  # noqa: F811
    _, store = pipeline
    events = tmp_path / "events.jsonl"
    ids = emit_pipeline(events, tmp_path)
    assert len(events.read_text().splitlines()) == 6
    Path(ids["clean"]).write_text("id,x\n1,2\n3,4\n")

    _, out = cli(capsys, "import", "--format", "openlineage", str(events))
    assert "6 events" in out
    cli(capsys, "import", "--format", "openlineage", str(events))  # twice: nothing changes

    load = props(store, ids["load"])
    assert load["status"] == "ERROR" and "locked" in str(load["stderr"])
    extract = props(store, ids["extract"])
    assert extract["status"] == "FINISHED" and extract["started_at"] < extract["ended_at"]

    _, out = cli(capsys, "lineage", "upstream", ids["sales"], "--json", "--depth", "10")
    hits = {hit["id"] for hit in json.loads(out)["hits"]}
    assert {ids["load"], ids["transform"], ids["extract"]} <= hits

    with Flowcept(workflow_name="report", start_persistence=True, check_safe_stops=True):
        summarize(ids["clean"])
    task = next(t for t in Flowcept.db.task_query({"activity_id": "summarize"}))
    _, out = cli(capsys, "lineage", "upstream", task["task_id"], "--json", "--depth", "10")
    hits = {hit["id"] for hit in json.loads(out)["hits"]}
    assert {ids["transform"], ids["extract"]} <= hits
    _, out = cli(capsys, "lineage", "downstream", ids["raw"], "--json", "--depth", "10")
    hits = {hit["id"] for hit in json.loads(out)["hits"]}
    assert task["task_id"] in hits and ids["load"] in hits
