"""Flowcept's submodule import paths work under ``capture.``, each giving the very object
of the real module, and the card of Flowcept's quickstart names the run."""

from __future__ import annotations

import importlib
import logging
from pathlib import Path

import pytest

import capture
from capture.adapters.dask.worker import FlowceptDaskWorkerAdapter
from capture.persistence import DB
from provgraph.core.wire import Status

# (Flowcept's path under capture., name, the object it must be)
PATHS = [
    ("instrumentation.flowcept_task", "flowcept_task", capture.flowcept_task),
    ("instrumentation.flowcept_task", "lightweight_flowcept_task",
     capture.lightweight_flowcept_task),
    ("instrumentation.flowcept_task", "telemetry_flowcept_task",
     capture.telemetry_flowcept_task),
    ("instrumentation.flowcept_decorator", "flowcept", capture.flowcept),
    ("instrumentation.task_capture", "FlowceptTask", capture.FlowceptTask),
    ("instrumentation.task", "FlowceptTask", capture.FlowceptTask),
    ("instrumentation.flowcept_loop", "FlowceptLoop", capture.FlowceptLoop),
    ("instrumentation.flowcept_loop", "FlowceptLightweightLoop",
     capture.FlowceptLightweightLoop),
    ("instrumentation.loop", "FlowceptLoop", capture.FlowceptLoop),
    ("instrumentation.flowcept_agent_task", "agent_flowcept_task",
     capture.agent_flowcept_task),
    ("instrumentation.flowcept_torch", "flowcept_torch", capture.flowcept_torch),
    ("flowcept_api.flowcept_controller", "Flowcept", capture.Flowcept),
    ("flowcept_api.db_api", "DBAPI", DB),
    ("commons.vocabulary", "Status", Status),
    ("commons.flowcept_dataclasses.task_object", "TaskObject", capture.TaskObject),
    ("commons.flowcept_dataclasses.workflow_object", "WorkflowObject", capture.WorkflowObject),
    ("flowceptor.adapters.dask.dask_plugins", "FlowceptDaskWorkerAdapter",
     FlowceptDaskWorkerAdapter),
]


@pytest.mark.parametrize(("path", "name", "expected"), PATHS,
                         ids=[f"{p}.{n}" for p, n, _ in PATHS])
def test_flowcept_path_gives_the_real_object(path: str, name: str, expected: object) -> None:
    module = importlib.import_module(f"capture.{path}")
    assert getattr(module, name) is expected


def test_torch_loops_are_loops_with_flowcepts_names() -> None:
    from capture.instrumentation.flowcept_torch import FlowceptBatchLoop, FlowceptEpochLoop

    class Model:
        epochs: list[str | None] = []

        def new_epoch(self, task_id: str | None) -> None:
            self.epochs.append(task_id)

    model = Model()
    with capture.Flowcept(workflow_name="torch_loops", start_persistence=False):
        epochs = FlowceptEpochLoop(range(2), model=model)
        for _ in epochs:
            for _ in FlowceptBatchLoop([10, 20]):
                pass
    messages = capture.Flowcept.read_buffer_file()
    epoch_tasks = [m for m in messages if m.get("activity_id") == "EpochLoop_iteration"]
    batch_tasks = [m for m in messages if m.get("activity_id") == "BatchLoop_iteration"]
    assert [m["used"]["epoch"] for m in epoch_tasks] == [0, 1]
    assert [m["used"]["batch"] for m in batch_tasks] == [10, 20, 10, 20]
    # each batch is a child of the epoch running it; the model heard of each epoch
    assert {m["parent_task_id"] for m in batch_tasks} == {m["task_id"] for m in epoch_tasks}
    assert model.epochs == [m["task_id"] for m in epoch_tasks]


def test_flowcept_logger_is_the_capture_logger() -> None:
    from capture.commons.flowcept_logger import FlowceptLogger

    assert FlowceptLogger() is logging.getLogger("capture")
    assert FlowceptLogger() is FlowceptLogger()


def test_dbapi_opens_the_configured_store() -> None:
    from capture.flowcept_api.db_api import DBAPI

    db = DBAPI()
    assert isinstance(capture.Flowcept.db, DBAPI)
    assert db.task_query({"activity_id": "nothing-here"}) == []


QUICKSTART = '''
import json
from capture import Flowcept, flowcept_task
from capture.instrumentation.flowcept_decorator import flowcept

@flowcept_task
def sum_one(n):
    return n + 1

@flowcept_task
def mult_two(n):
    return n * 2

@flowcept
def main():
    n = 3
    o1 = sum_one(n)
    o2 = mult_two(o1)
    print("Final output", o2)

if __name__ == "__main__":
    main()
    prov_messages = Flowcept.read_buffer_file()
    assert len(prov_messages) == 2
    Flowcept.generate_report(output_path="card.md")
'''


def test_quickstart_card_names_the_run(tmp_path: Path) -> None:
    import subprocess
    import sys

    script = tmp_path / "quickstart.py"
    script.write_text(QUICKSTART)
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120, check=False,
                          env={"PATH": "/usr/bin:/bin",
                               "PROVGRAPH_DATA_DIR": str(tmp_path / "data")})
    assert done.returncode == 0, done.stderr
    assert "Final output 8" in done.stdout
    card = (tmp_path / "card.md").read_text()
    python = f"{sys.version_info.major}.{sys.version_info.minor}.{sys.version_info.micro}"
    head = card[:1500]
    assert "main" in head.splitlines()[0], head
    assert "FINISHED" in head and "UNKNOWN" not in head, head
    assert python in head, head
