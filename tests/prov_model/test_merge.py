"""merge_task_props and batch-level merging of repeated messages.

The rule: docs/architecture.md, "Messages".
"""

from __future__ import annotations

import pytest

from prov_model import is_stale, map_batch, merge_task_props

RUNNING = {"status": "RUNNING", "started_at": 1.0, "used_json": '{"x":1}',
           "telemetry_at_start_json": "{}"}
FINISHED = {"status": "FINISHED", "started_at": 1.0, "ended_at": 2.0, "generated_json": '{"y":2}'}


def test_running_then_finished() -> None:
    assert merge_task_props(RUNNING, FINISHED) == {
        "status": "FINISHED", "started_at": 1.0, "ended_at": 2.0, "used_json": '{"x":1}',
        "telemetry_at_start_json": "{}", "generated_json": '{"y":2}',
    }


def test_finished_then_running_out_of_order() -> None:
    late = {**RUNNING, "started_at": 0.5, "ended_at": 99.0}
    merged = merge_task_props(FINISHED, late)
    assert merged["status"] == "FINISHED"
    assert merged["ended_at"] == 2.0 and merged["started_at"] == 1.0
    assert merged["generated_json"] == '{"y":2}'
    # fields the terminal message lacked are still filled in
    assert merged["used_json"] == '{"x":1}' and merged["telemetry_at_start_json"] == "{}"


def test_error_is_kept() -> None:
    error = {"status": "ERROR", "stderr": "boom", "ended_at": 3.0}
    assert merge_task_props(error, RUNNING)["status"] == "ERROR"
    assert merge_task_props(error, {"status": "SUBMITTED"})["status"] == "ERROR"
    assert merge_task_props(error, {"hostname": "h"}) == {**error, "hostname": "h"}


def test_terminal_replaces_terminal() -> None:
    assert merge_task_props({"status": "FINISHED"}, {"status": "ERROR"})["status"] == "ERROR"
    assert merge_task_props({"status": "ERROR"}, {"status": "FINISHED"})["status"] == "FINISHED"


def test_later_non_null_wins_and_none_never_replaces() -> None:
    merged = merge_task_props({"status": "RUNNING", "a": 1, "b": 2}, {"a": 10, "b": None})
    assert merged == {"status": "RUNNING", "a": 10, "b": 2}


def test_pure() -> None:
    old, new = dict(FINISHED), dict(RUNNING)
    merge_task_props(old, new)
    assert old == FINISHED and new == RUNNING


@pytest.mark.parametrize(
    ("old", "new", "stale"),
    [
        ({"status": "FINISHED"}, {"status": "RUNNING"}, True),
        ({"status": "FINISHED"}, {}, True),
        ({"status": "RUNNING"}, {"status": "FINISHED"}, False),
        ({}, {"status": "RUNNING"}, False),
        ({"status": "ERROR"}, {"status": "FINISHED"}, False),
    ],
)
def test_is_stale(old: dict[str, str], new: dict[str, str], stale: bool) -> None:
    assert is_stale(old, new) is stale


def test_batch_out_of_order_keeps_finished() -> None:
    base = {"type": "task", "task_id": "t", "started_at": 1.0}
    delta = map_batch([
        {**base, "status": "FINISHED", "ended_at": 2.0, "generated": {"y": 2}},
        {**base, "status": "RUNNING", "hostname": "h1"},
    ])
    props = delta.node_map()["t"].props
    assert props["status"] == "FINISHED" and props["ended_at"] == 2.0
    assert props["hostname"] == "h1"


def test_stub_does_not_clobber_full_node() -> None:
    delta = map_batch([
        {"type": "workflow", "workflow_id": "w", "name": "wf", "status": "FINISHED"},
        {"type": "task", "task_id": "t", "workflow_id": "w"},
    ])
    assert delta.node_map()["w"].props == {"name": "wf", "status": "FINISHED"}
