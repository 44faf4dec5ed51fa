"""The wire schema: message kinds, statuses, control messages, stream fields."""

from __future__ import annotations

import orjson

from capture import Status as PublicStatus
from provgraph.core import wire


def test_status_is_the_flowcept_enum() -> None:
    assert PublicStatus is wire.Status
    assert [s.value for s in wire.Status] == [
        "SUBMITTED", "WAITING", "RUNNING", "FINISHED", "ERROR", "UNKNOWN"]
    assert {"FINISHED", "ERROR"} == wire.TERMINAL_STATUSES
    assert orjson.dumps({"status": wire.Status.FINISHED}) == b'{"status":"FINISHED"}'


def test_flush_markers_round_trip_and_are_not_user_messages() -> None:
    marker = wire.flush_marker("m-1")
    assert marker == {"type": "control", "event": "flush", "marker": "m-1"}
    assert wire.is_control(marker) and wire.marker_of(marker) == "m-1"
    task = {"type": "task", "task_id": "t"}
    assert not wire.is_control(task) and wire.marker_of(task) is None
    assert wire.marker_of({"type": "control", "event": "other", "marker": "m"}) is None
    assert wire.marker_of({"type": "control", "event": "flush", "marker": 3}) is None
    assert wire.marker_of(["not", "a", "dict"]) is None
    assert wire.user_messages([task, marker, {"type": "workflow"}]) == [
        task, {"type": "workflow"}]


def test_a_batch_is_one_json_array_of_the_encoded_messages() -> None:
    batch = [orjson.dumps({"type": "task", "task_id": str(i)}) for i in range(3)]
    assert orjson.loads(wire.encode_batch(batch)) == [orjson.loads(m) for m in batch]
    assert wire.encode_batch([]) == b"[]"


def test_workflow_end_is_a_control_message_users_never_see() -> None:
    end = wire.workflow_end("w1", 12.5, wire.ERROR, "ValueError: bad")
    assert end == {"type": "control", "event": "workflow_end", "workflow_id": "w1",
                   "ended_at": 12.5, "status": "ERROR", "stderr": "ValueError: bad"}
    assert wire.is_workflow_end(end) and wire.marker_of(end) is None
    assert wire.user_messages([{"type": "task"}, end]) == [{"type": "task"}]


def test_workflow_end_refuses_what_is_no_end() -> None:
    for bad in ("RUNNING", "finished", None):
        try:
            wire.workflow_end("w1", 1.0, bad)  # type: ignore[arg-type]
        except ValueError as exc:
            assert "FINISHED or ERROR" in str(exc)
        else:
            raise AssertionError(f"{bad!r} accepted")
    try:
        wire.workflow_end("", 1.0, wire.FINISHED)
    except ValueError as exc:
        assert "workflow_id" in str(exc)
    else:
        raise AssertionError("empty workflow_id accepted")


def test_media_type_comes_from_custom_metadata() -> None:
    assert wire.media_type({"file_type": "IMAGE/PNG"}) == "image/png"
    assert wire.media_type({"file_type": "jpg"}) == "image/jpeg"
    assert wire.media_type({"file_name": "table.parquet", "extension": "csv"}) == "text/csv"
    assert wire.media_type({"owner": "x"}) == wire.DEFAULT_MEDIA_TYPE
    assert wire.data_ref(bytearray(b"ab"))["size_bytes"] == 2
