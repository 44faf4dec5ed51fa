"""``FlowceptTask``: per-task telemetry opt-out/in, and raw ``data`` kept as Flowcept keeps
it (bytes in the in-memory buffer, not in the buffer file), the graph holding only its
hash, size and media type."""

from __future__ import annotations

import base64
import hashlib

import orjson
import pytest

from capture import ArgumentError, Flowcept, FlowceptTask, recorder
from provgraph.core.config import Settings
from tests.capture.conftest import read_all, tasks

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4  # an image's first bytes, then pixels


@pytest.fixture
def telemetry_on(settings: Settings) -> Settings:
    settings.instrumentation.telemetry.enabled = True
    recorder.configure(settings)
    return settings


def test_capture_telemetry_false_opts_one_task_out(telemetry_on: Settings) -> None:
    with Flowcept(workflow_name="telemetry_opt_out"):
        with FlowceptTask(activity_id="quiet", capture_telemetry=False) as quiet:
            quiet.end(generated={"x": 1})
        with FlowceptTask(activity_id="measured") as measured:
            measured.end(generated={"x": 2})
    [quiet_msg] = tasks(read_all(), activity_id="quiet")
    [measured_msg] = tasks(read_all(), activity_id="measured")
    assert "telemetry_at_start" not in quiet_msg and "telemetry_at_end" not in quiet_msg
    assert measured_msg["telemetry_at_start"]["cpu"]["count"] >= 1
    assert measured_msg["telemetry_at_end"]["memory"]["virtual"]["total"] > 0


def test_capture_telemetry_true_takes_it_when_settings_are_off() -> None:
    with Flowcept(workflow_name="telemetry_opt_in"):
        FlowceptTask(activity_id="one", capture_telemetry=True).end()
        FlowceptTask(activity_id="other").end()
    [one] = tasks(read_all(), activity_id="one")
    [other] = tasks(read_all(), activity_id="other")
    assert one["telemetry_at_start"]["process"]["memory"]["rss"] > 0
    assert "telemetry_at_end" in one
    assert "telemetry_at_start" not in other


def test_capture_telemetry_must_be_a_bool() -> None:
    with Flowcept(workflow_name="bad"), pytest.raises(ArgumentError, match="capture_telemetry"):
        FlowceptTask(activity_id="x", capture_telemetry="no")  # type: ignore[arg-type]


def test_data_bytes_stay_in_the_buffer_and_only_their_ref_travels() -> None:
    with Flowcept(workflow_name="images") as run:
        with FlowceptTask(activity_id="render", used={"scene": "s1"}) as t:
            t.end(data=PNG, custom_metadata={"file_type": "image/png", "file_name": "s1.png"},
                  generated={"bytes": len(PNG)})
        FlowceptTask(activity_id="given", data=b"abc", custom_metadata={"extension": "csv"},
                     generated={"ok": True})
    [render] = tasks(run.get_buffer(), activity_id="render")
    assert render["data"] == PNG  # as Flowcept's in-memory buffer has it
    assert render["data_ref"] == {"sha256": hashlib.sha256(PNG).hexdigest(),
                                  "size_bytes": len(PNG), "media_type": "image/png"}
    [given] = tasks(Flowcept.buffer, activity_id="given")
    assert given["data"] == b"abc" and given["data_ref"]["media_type"] == "text/csv"
    # The buffer file leaves the bytes out, as Flowcept's file does.
    [from_file] = tasks(read_all(), activity_id="render")
    assert "data" not in from_file and from_file["data_ref"] == render["data_ref"]


def test_the_graph_keeps_hash_size_and_media_type_never_the_bytes() -> None:
    with Flowcept(workflow_name="images") as run, FlowceptTask(activity_id="render") as t:
        t.end(data=PNG, custom_metadata={"file_type": "png"})
    [task] = tasks(run.get_buffer())
    node = Flowcept.db.store.get_node(task["task_id"])
    props = node["props"]
    assert props["data_sha256"] == hashlib.sha256(PNG).hexdigest()
    assert props["data_size_bytes"] == len(PNG)
    assert props["data_media_type"] == "image/png"
    stored = orjson.dumps(props)
    for form in (PNG, base64.b64encode(PNG), PNG.hex().encode()):
        assert form not in stored
    assert "data_json" not in props


def test_json_data_is_kept_as_it_was() -> None:
    with Flowcept(workflow_name="json_data") as run:
        FlowceptTask(activity_id="notes", data={"text": "hello"}).end()
    [task] = tasks(run.get_buffer())
    assert task["data"] == {"text": "hello"} and "data_ref" not in task


def test_dump_buffer_writes_json_without_the_bytes(tmp_path) -> None:
    with Flowcept(workflow_name="dump") as run:
        FlowceptTask(activity_id="render", data=PNG).end()
    target = tmp_path / "run.jsonl"
    run.dump_buffer(target)
    [task] = tasks(Flowcept.read_buffer_file(target))
    assert "data" not in task
    assert task["data_ref"]["media_type"] == "application/octet-stream"
