"""The Flowcept controller: buffer access, buffer files, workflow message, switches."""

from __future__ import annotations

from pathlib import Path

import pytest

from capture import ArgumentError, Flowcept, FlowceptLoop, flowcept_task, recorder
from capture.hubs.file import read_jsonl
from provgraph.core.config import Settings
from tests.capture.conftest import tasks
from tests.conftest import make_settings


@flowcept_task(output_names="y")
def square(x):
    return x * x


def test_get_buffer_returns_this_runs_messages() -> None:
    with Flowcept(workflow_name="first"):
        square(2)
    second = Flowcept(workflow_name="second", delete_buffer_file=False)
    with second:
        square(3)
        buffer = second.get_buffer()
    assert [m["type"] for m in buffer] == ["workflow", "task"]
    assert buffer[1]["used"] == {"x": 3}
    frame = second.get_buffer(return_df=True)
    assert "generated.y" in frame.columns
    assert list(frame["generated.y"].dropna()) == [9]


def test_dump_and_read_buffer_file(tmp_path: Path) -> None:
    flowcept = Flowcept(workflow_name="dump")
    with flowcept:
        square(4)
    target = tmp_path / "dumped.jsonl"
    flowcept.dump_buffer(str(target))
    messages = Flowcept.read_buffer_file(str(target))
    assert [m["type"] for m in messages] == ["workflow", "task"]
    frame = Flowcept.read_buffer_file(str(target), return_df=True, normalize_df=True)
    assert "y" in frame.columns and "x" in frame.columns
    Flowcept.delete_buffer_file(str(target))
    assert not target.exists()
    with pytest.raises(FileNotFoundError):
        Flowcept.read_buffer_file(str(target))


def test_previous_buffer_file_is_deleted_on_start_by_default(settings: Settings) -> None:
    with Flowcept(workflow_name="one"):
        square(1)
    with Flowcept(workflow_name="two"):
        square(2)
    messages = Flowcept.read_buffer_file()
    assert [m.get("name") for m in messages if m["type"] == "workflow"] == ["two"]
    with Flowcept(workflow_name="three", delete_buffer_file=False):
        square(3)
    assert len(tasks(Flowcept.read_buffer_file())) == 2


def test_consolidate_merges_buffer_files(settings: Settings) -> None:
    base = Path(settings.buffer_file)
    with Flowcept(workflow_name="main") as flowcept:
        square(5)
    other = base.with_name(base.stem + "_worker1.jsonl")
    workflow_id = flowcept.current_workflow_id.encode()
    other.write_bytes(
        b'{"type":"task","task_id":"w1","workflow_id":"%s"}\n' % workflow_id
        + b'{"type":"task","task_id":"other","workflow_id":"elsewhere"}\n'
    )
    messages = Flowcept.read_buffer_file(consolidate=True,
                                         workflow_id=flowcept.current_workflow_id)
    assert sorted(m.get("task_id", "wf") for m in messages if m["type"] == "task")[-1] == "w1"
    assert all(m["workflow_id"] == flowcept.current_workflow_id for m in messages)
    merged = base.with_name(f"{base.stem}_{flowcept.current_workflow_id}.jsonl")
    assert merged.exists() and not other.exists() and not base.exists()


def test_current_workflow_id_is_readable_on_the_class() -> None:
    with Flowcept(workflow_name="cls") as flowcept:
        inside = Flowcept.current_workflow_id
    assert inside == flowcept.current_workflow_id
    assert Flowcept.current_workflow_id == flowcept.current_workflow_id


def test_workflow_message_describes_machine_code_and_settings(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "d", PROVGRAPH_NEO4J_PASSWORD="hunter2")
    recorder.configure(settings)
    with Flowcept(workflow_name="meta", agent_id="agent-7", parent_workflow_id="parent-1"):
        pass
    [workflow] = Flowcept.read_buffer_file()
    for key in ("sys_name", "node_name", "hostname", "login_name", "machine_info",
                "flowcept_version", "utc_timestamp"):
        assert workflow.get(key), key
    assert workflow["agent_id"] == "agent-7"
    assert workflow["parent_workflow_id"] == "parent-1"
    assert workflow["flowcept_settings"]["store"]["neo4j"]["password"] == "***"
    assert "hunter2" not in str(workflow)
    repo = workflow.get("code_repository")
    if repo is not None:  # the tests run inside the provgraph checkout
        assert len(repo["commit"]) == 40 and isinstance(repo["dirty"], bool)


def test_instrumentation_off_records_nothing(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "off", PROVGRAPH_INSTRUMENTATION="false")
    recorder.configure(settings)
    with Flowcept(workflow_name="off"):
        assert square(3) == 9
        loop = FlowceptLoop(range(3))
        assert list(loop) == [0, 1, 2]
        loop.end_iter({"ignored": True})
    assert not Path(settings.buffer_file).exists()


def test_capture_enabled_false_makes_a_plain_loop() -> None:
    with Flowcept(workflow_name="loop-off"):
        assert list(FlowceptLoop([1, 2], capture_enabled=False)) == [1, 2]
    assert tasks(Flowcept.read_buffer_file()) == []


def test_wrong_argument_types_name_the_argument() -> None:
    with pytest.raises(ArgumentError, match="workflow_args"):
        Flowcept(workflow_args=["not", "a", "dict"])
    with pytest.raises(ArgumentError, match="workflow_name"):
        Flowcept(workflow_name=["x"])
    with pytest.raises(ArgumentError, match="interceptors"):
        Flowcept(interceptors=42)
    with pytest.raises(ArgumentError, match="items"):
        FlowceptLoop(3.5)
    with pytest.raises(ArgumentError, match="file_path"):
        Flowcept.read_buffer_file(file_path=12)


def test_memory_hub_reads_back(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "mem", PROVGRAPH_HUB="memory")
    recorder.configure(settings)
    with Flowcept(workflow_name="memory") as flowcept:
        square(6)
    buffer = flowcept.get_buffer()
    assert [m["type"] for m in buffer] == ["workflow", "task"]
    assert not Path(settings.buffer_file).exists()


def test_services_alive_with_the_file_hub() -> None:
    assert Flowcept.services_alive() is True


def test_buffer_file_lines_are_whole_json_messages(settings: Settings) -> None:
    with Flowcept(workflow_name="lines"):
        for i in range(2500):  # several batches
            square(i)
    raw = Path(settings.buffer_file).read_bytes()
    assert raw.endswith(b"\n")
    assert len(tasks(read_jsonl(settings.buffer_file))) == 2500


def test_buffer_is_readable_on_the_class_during_and_after_a_run() -> None:
    @flowcept_task
    def double(x):
        return 2 * x

    with Flowcept(workflow_name="class_buffer") as run:
        double(1)
        during = Flowcept.buffer
        assert [m["type"] for m in during] == ["workflow", "task"]
        double(2)
    after = Flowcept.buffer
    assert after == run.buffer == run.get_buffer()
    assert [m.get("used") for m in after if m["type"] == "task"] == [{"x": 1}, {"x": 2}]
    with Flowcept(workflow_name="next_run"):
        pass
    assert [m["name"] for m in Flowcept.buffer] == ["next_run"]
