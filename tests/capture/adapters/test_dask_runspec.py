"""Reading Dask run specs (dask.Task graph nodes and the older tuples), and a task whose
run spec cannot be read: recorded all the same, and counted."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from dask._task_spec import Alias, DataNode, Dict, List, Task, TaskRef
from distributed.spill import SpillBuffer
from distributed.worker_state_machine import TaskState

from capture.adapters.dask.runspec import Unreadable, Values, activity_of, read_call
from capture.adapters.dask.worker import FlowceptDaskWorkerAdapter, WorkerContext
from tests.capture.conftest import read_all, tasks


def combine(a: Any, b: Any = 0, **extra: Any) -> Any:
    return a


def values(data: dict[Any, Any], max_bytes: int = 1000) -> Values:
    return Values(data, {}, max_bytes)


def test_task_with_references_containers_and_kwargs() -> None:
    spec = Task("k", combine, TaskRef("a"), List(TaskRef("b"), 3),
                c=Dict({"x": TaskRef("a"), "y": 2}), d=DataNode(None, "lit"))
    call = read_call(spec, values({"a": 10, "b": 20}), 1000)
    assert call.func is combine
    assert call.args == (10, [20, 3])
    assert call.kwargs == {"c": {"x": 10, "y": 2}, "d": "lit"}


def test_nested_task_is_described_not_run() -> None:
    calls: list[int] = []

    def side_effect() -> int:
        calls.append(1)
        return 1

    call = read_call(Task("k", combine, Task(None, side_effect)), values({}), 1000)
    assert call.args == ("<task side_effect>",)
    assert calls == []


def test_alias_data_node_and_legacy_tuple() -> None:
    alias = read_call(Alias("k", "a"), values({"a": 5}), 1000)
    assert activity_of(alias.func) == "alias" and alias.args == (5,)
    data = read_call(DataNode("k", [1, 2]), values({}), 1000)
    assert activity_of(data.func) == "data" and data.args == ([1, 2],)
    legacy = read_call((combine, (1, 2), {"z": 3}), values({}), 1000)
    assert (legacy.func, legacy.args, legacy.kwargs) == (combine, (1, 2), {"z": 3})


def test_missing_and_big_values() -> None:
    found = Values({"big": "x" * 5000}, {"sized": 10_000}, 1000)
    assert found.get("gone") == "<dask key gone (not on this worker)>"
    assert found.get("sized") == "<10000 bytes: dask key sized>"
    assert found.get("big").startswith("<str ")


def test_unknown_run_spec_raises_unreadable() -> None:
    with pytest.raises(Unreadable, match="object"):
        read_call(object(), values({}), 1000)


def test_unreadable_task_is_recorded_and_counted(caplog: pytest.LogCaptureFixture) -> None:
    ts = TaskState("odd-123")
    ts.run_spec = object()  # a shape this adapter does not know
    ts.startstops.append({"action": "compute", "start": 1.0, "stop": 2.0})
    worker = SimpleNamespace(state=SimpleNamespace(tasks={"odd-123": ts}),
                             data={"odd-123": 7}, address="tcp://127.0.0.1:1")
    plugin = FlowceptDaskWorkerAdapter(WorkerContext("wf-odd", None, {}, os.getpid()))
    plugin.setup(worker)
    with caplog.at_level(logging.WARNING):
        plugin.transition("odd-123", "ready", "executing")
        plugin.transition("odd-123", "executing", "memory")
    report = plugin.drain(10)
    assert report["unreadable"] == 1 and report["recorded"] == 1
    assert "could not be read" in caplog.text
    [finished] = tasks(read_all(), task_id="odd-123", status="FINISHED")
    assert finished["activity_id"] == "odd"
    assert finished["workflow_id"] == "wf-odd"
    assert finished["generated"] == {"arg_0": 7}
    assert (finished["started_at"], finished["ended_at"]) == (1.0, 2.0)


def test_spill_buffer_values_are_read_from_memory_never_from_disk(tmp_path: Path) -> None:
    data = SpillBuffer(str(tmp_path), target=1000)
    data["small"] = 7
    data["large"] = "y" * 5000  # over the target: straight to disk
    found = Values(data, {}, 10_000)
    assert found.get("small") == 7
    assert found.get("large") == "<dask key large (spilled to disk)>"
    assert "large" in data.slow  # still on disk: nothing was loaded back
