"""The wire schema: message kinds, statuses, control messages, stream fields."""

from __future__ import annotations

import orjson

from capture import Status as PublicStatus
from provgraph import wire


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
