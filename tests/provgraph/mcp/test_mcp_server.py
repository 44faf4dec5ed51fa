"""``provgraph mcp`` driven by the MCP SDK's own client over stdio (a subprocess), on the
demo's data in an embedded store: the tools are listed with their schemas, each answers
what the Python API answers, and a hostile argument is a tool error of one line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

anyio = pytest.importorskip("anyio")
mcp = pytest.importorskip("mcp")

from mcp import ClientSession, StdioServerParameters, stdio_client  # noqa: E402

from capture import recorder  # noqa: E402
from exports.api import export  # noqa: E402
from exports.report import inputs  # noqa: E402
from exports.report.card import build_card  # noqa: E402
from exports.source import ExportScope  # noqa: E402
from keeper.lineage import api  # noqa: E402
from keeper.query import DBAPI  # noqa: E402
from keeper.stores.base import open_store  # noqa: E402
from keeper.stores.embedded import EmbeddedStore  # noqa: E402
from provgraph.core.config import Settings  # noqa: E402
from provgraph.mcp.tools import TOOLS, card_facts  # noqa: E402
from tests.conftest import make_settings  # noqa: E402

PROVGRAPH = str(Path(sys.executable).with_name("provgraph"))
SESSION_DEADLINE_S = 120.0

# A second run beside the demo: a task fails after writing a part that another task merges.
FAILING_RUN = textwrap.dedent("""
    from capture import Flowcept, FlowceptTask, Status
    with Flowcept(workflow_name="flaky-ingest"):
        with FlowceptTask(activity_id="fetch", used={"url": "s3://bucket/raw/input.csv"}) as t:
            t.end(generated={"part": "s3://bucket/stage/part-0001.csv"}, status=Status.ERROR,
                  stderr="disk full")
        with FlowceptTask(activity_id="merge",
                          used={"part": "s3://bucket/stage/part-0001.csv"}) as t:
            t.end(generated={"merged": "s3://bucket/out/merged-0001.csv"})
""")


def _env(data_dir: Path) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith("PROVGRAPH_")}
    return {**keep, "PROVGRAPH_DATA_DIR": str(data_dir), "PROVGRAPH_HUB": "file",
            "PROVGRAPH_STORE": "embedded"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """The demo's data (and the failing run) in an embedded store, written by subprocesses
    as a user would; the settings of that data dir installed in this process."""
    data_dir = tmp_path_factory.mktemp("mcp") / "data"
    env = _env(data_dir)
    for argv in ([PROVGRAPH, "demo"], [sys.executable, "-c", FAILING_RUN]):
        done = subprocess.run(argv, env=env, cwd=data_dir.parent, capture_output=True,
                              text=True, timeout=180)
        assert done.returncode == 0, done.stderr
    settings = make_settings(data_dir, PROVGRAPH_STORE="embedded", PROVGRAPH_HUB="file")
    recorder.configure(settings)
    yield settings
    recorder.configure(None)
    EmbeddedStore.evict(settings.embedded_store_dir)


def session(settings: Settings, work: Callable[[ClientSession], Awaitable[Any]]) -> Any:
    """Run ``work`` with a client session to a fresh ``provgraph mcp`` subprocess."""
    data_dir = Path(settings.data_dir)
    params = StdioServerParameters(command=PROVGRAPH, args=["mcp"], env=_env(data_dir),
                                   cwd=str(data_dir.parent))
    result: list[Any] = []

    async def main() -> None:
        with anyio.fail_after(SESSION_DEADLINE_S):
            async with stdio_client(params) as (read, write), \
                    ClientSession(read, write) as client:
                await client.initialize()
                result.append(await work(client))

    anyio.run(main)
    return result[0]


def _plain(answer: Any) -> Any:
    """An answer as it travels: through JSON."""
    return json.loads(json.dumps(answer, default=str))


def _workflows(store: Any) -> dict[str, str]:
    return {n["props"].get("name"): n["id"] for n in store.find_nodes("Workflow")}


def test_tools_are_listed_with_their_schemas(demo: Settings) -> None:
    async def work(client: ClientSession) -> Any:
        return (await client.list_tools()).tools

    tools = session(demo, work)
    assert [t.name for t in tools] == list(TOOLS)
    assert set(TOOLS) == {"list_workflows", "workflow_summary", "query_tasks", "upstream",
                          "downstream", "lineage_path", "failures", "export_workflow"}
    for tool in tools:
        assert tool.input_schema == TOOLS[tool.name].input_schema
        assert tool.input_schema["type"] == "object"
        assert tool.description and tool.annotations is not None
        assert tool.annotations.read_only_hint is True
    by_name = {t.name: t for t in tools}
    depth = by_name["upstream"].input_schema["properties"]["depth"]
    assert (depth["type"], depth["minimum"], depth["maximum"]) == ("integer", 1, 50)
    assert by_name["upstream"].input_schema["required"] == ["id"]
    assert "ttl" in by_name["export_workflow"].input_schema["properties"]["format"]["enum"]


def test_each_tool_answers_as_the_python_api(demo: Settings) -> None:
    store = open_store(demo)
    names = _workflows(store)
    demo_id, flaky_id = names["demo-train-evaluate"], names["flaky-ingest"]
    db = DBAPI(store, demo)
    evaluate = db.task_query({"workflow_id": demo_id, "activity_id": "evaluate"})[0]
    load = db.task_query({"workflow_id": demo_id, "activity_id": "load_dataset"})[0]
    fetch = db.task_query({"workflow_id": flaky_id, "activity_id": "fetch"})[0]
    calls: list[tuple[str, dict[str, Any]]] = [
        ("list_workflows", {}),
        ("list_workflows", {"limit": 1}),
        ("workflow_summary", {"workflow_id": demo_id}),
        ("query_tasks", {"filter": {"workflow_id": demo_id, "activity_id": "train_epoch"}}),
        ("query_tasks", {"filter": {"used.epoch": 1}, "limit": 5}),
        ("upstream", {"id": evaluate["task_id"], "depth": 10}),
        ("downstream", {"id": load["task_id"], "depth": 3, "limit": 4}),
        ("upstream", {"id": "s3://bucket/out/merged-0001.csv"}),
        ("lineage_path", {"a": evaluate["task_id"], "b": load["task_id"]}),
        ("failures", {"workflow_id": flaky_id}),
        ("failures", {"workflow_id": demo_id, "depth": 2}),
        ("export_workflow", {"workflow_id": demo_id}),
        ("export_workflow", {"workflow_id": flaky_id, "format": "ttl"}),
        ("export_workflow", {"workflow_id": flaky_id, "format": "openlineage"}),
    ]

    async def work(client: ClientSession) -> list[Any]:
        return [await client.call_tool(name, args) for name, args in calls]

    results = session(demo, work)
    answers: dict[int, Any] = {}
    for index, ((name, args), result) in enumerate(zip(calls, results, strict=True)):
        assert not result.is_error, (name, args, result.content)
        assert len(result.content) == 1 and result.content[0].type == "text"
        text = result.content[0].text
        if name == "export_workflow":
            answers[index] = text
        else:
            answers[index] = json.loads(text)
            expected = answers[index] if isinstance(answers[index], dict) else {
                "result": answers[index]}
            assert result.structured_content == expected

    # list_workflows: newest first, with task counts and failures from the stored tasks
    listed = answers[0]["workflows"]
    assert [w["workflow_id"] for w in listed] == [flaky_id, demo_id]
    for entry in listed:
        tasks = db.task_query({"workflow_id": entry["workflow_id"]})
        assert entry["tasks"] == len(tasks)
        assert entry["failures"] == sum(t.get("status") == "ERROR" for t in tasks)
        workflow = db.get_workflow(entry["workflow_id"])
        assert workflow is not None
        assert (entry["name"], entry["status"]) == (workflow["name"], workflow.get("status"))
        assert entry["started_at"] == workflow["started_at"]
    assert listed[0]["failures"] == 1 and listed[1]["tasks"] == 10
    assert answers[1] == {"workflows": listed[:1], "total": 2, "truncated": True}
    # workflow_summary: the card's facts
    with inputs.open_input(inputs.DB, workflow_id=demo_id) as data:
        card = build_card(data, demo_id)
    assert answers[2] == _plain(card_facts(card))
    assert answers[2]["status"] == card.status and answers[2]["tasks"] == len(card.tasks) == 10
    assert answers[2]["statuses"] == dict(card.statuses)
    assert [a["activity_id"] for a in answers[2]["activities"]] == [
        a.activity_id for a in card.activities]
    # query_tasks
    trains = db.task_query({"workflow_id": demo_id, "activity_id": "train_epoch"}, 51)
    assert answers[3] == {"tasks": _plain(trains), "truncated": False} and len(trains) == 3
    assert answers[4]["tasks"] == _plain(db.task_query({"used.epoch": 1}, 5))
    # lineage
    entities = demo.entities
    assert answers[5] == _plain(api.upstream(store, evaluate["task_id"], 10,
                                             entities=entities).as_dict())
    assert load["task_id"] in {h["id"] for h in answers[5]["hits"]}
    assert answers[6] == _plain(api.downstream(store, load["task_id"], 3, 4, entities).as_dict())
    assert answers[6]["truncated"] is True and len(answers[6]["hits"]) == 4
    merged = answers[7]
    assert merged == _plain(api.upstream(store, "s3://bucket/out/merged-0001.csv",
                                         entities=entities).as_dict())
    assert fetch["task_id"] in {h["id"] for h in merged["hits"]}
    assert answers[8] == _plain(api.path(store, evaluate["task_id"], load["task_id"],
                                         entities=entities))
    assert answers[8]["direction"] == "upstream"
    # failures
    impact = api.impact_of_failures(store, flaky_id)
    assert answers[9] == _plain({**impact, "failed": [
        {"task": f["task"], "affected": f["affected"].as_dict()} for f in impact["failed"]]})
    assert [f["task"]["id"] for f in answers[9]["failed"]] == [fetch["task_id"]]
    assert len(answers[9]["affected_tasks"]) == 1
    assert answers[10]["failed"] == [] and answers[10]["affected_tasks"] == []
    # export_workflow: the same document as exports.api.export
    for index, workflow_id, fmt in ((11, demo_id, "json"), (12, flaky_id, "ttl"),
                                    (13, flaky_id, "openlineage")):
        expected = export(store, ExportScope.workflow(workflow_id), fmt)
        assert expected is not None
        assert answers[index] == expected.decode()
    assert json.loads(answers[11])["prefix"]


def test_hostile_arguments_are_one_line_tool_errors(demo: Settings) -> None:
    store = open_store(demo)
    demo_id = _workflows(store)["demo-train-evaluate"]
    before = store.counts()
    hostile: list[tuple[str, dict[str, Any], str]] = [
        ("upstream", {"id": demo_id, "depth": 10**9},
         "depth must be an integer from 1 to 50, got 1000000000"),
        ("downstream", {"id": 12345}, "id must be a string, got 12345"),
        ("upstream", {"id": ["a", "b"]}, "id must be a string, got list"),
        ("upstream", {"id": ""}, "id must be a non-empty string"),
        ("upstream", {"id": demo_id, "depth": True}, "depth must be an integer from 1 to 50"),
        ("upstream", {"id": demo_id, "limit": 10**7}, "limit must be an integer from 1 to"),
        ("upstream", {"id": "no-such-node"}, "no node with id 'no-such-node'"),
        ("upstream", {}, "missing argument 'id'"),
        ("upstream", {"id": demo_id, "cypher": "MATCH (n) DETACH DELETE n"},
         "unknown argument 'cypher'"),
        ("lineage_path", {"a": demo_id, "b": "x" * 10_000}, "b is longer than 4096"),
        ("export_workflow", {"workflow_id": demo_id, "format": "docx"},
         "unknown format 'docx'; known: "),
        ("export_workflow", {"workflow_id": demo_id, "max_bytes": 100},
         "the document is over max_bytes (100 bytes)"),
        ("export_workflow", {"workflow_id": "wf-nope"}, "no workflow 'wf-nope'"),
        ("workflow_summary", {"workflow_id": "wf-nope"}, "workflow 'wf-nope' not found"),
        ("failures", {"workflow_id": demo_id, "depth": -1}, "depth must be an integer"),
        ("query_tasks", {"filter": "status = ERROR"}, "filter must be an object, got"),
        ("query_tasks", {"filter": {"status": {"$ne": "x"}}}, "filter['status'] must be"),
        ("list_workflows", {"limit": 10**9}, "limit must be an integer from 1 to 500"),
        ("drop_store", {}, "unknown tool 'drop_store'"),
    ]

    async def work(client: ClientSession) -> list[Any]:
        return [await client.call_tool(name, args) for name, args, _ in hostile]

    results = session(demo, work)
    for (name, args, expected), result in zip(hostile, results, strict=True):
        text = result.content[0].text
        assert result.is_error, (name, args, text)
        assert len(result.content) == 1 and "\n" not in text and "Traceback" not in text
        assert expected in text, (name, text)
    assert open_store(demo).counts() == before  # nothing written


def test_refuses_a_missing_store_and_documents_a_client_config(tmp_path: Path) -> None:
    missing = tmp_path / "nothing-here"
    done = subprocess.run([PROVGRAPH, "mcp"], env=_env(missing), capture_output=True,
                          text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "no embedded store at" in done.stderr
    assert not missing.exists()  # nothing created
    shown = subprocess.run([PROVGRAPH, "mcp", "--help"], capture_output=True, text=True,
                           timeout=60, env=_env(missing))
    assert shown.returncode == 0
    start = shown.stdout.index("{")
    config, _ = json.JSONDecoder().raw_decode(shown.stdout[start:])
    assert config["mcpServers"]["provgraph"]["args"] == ["mcp"]
