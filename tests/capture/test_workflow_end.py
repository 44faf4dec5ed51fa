"""The end of a run is recorded: the workflow node gets ``ended_at`` and ``FINISHED`` (or
``ERROR`` when an exception left the ``with`` block), while the message counts of the
capture-methods page still hold (the end is a control message users never see)."""

from __future__ import annotations

from time import sleep

import pytest

from capture import Flowcept, FlowceptTask, flowcept_task
from capture.hubs.file import read_jsonl
from provgraph.core import wire
from provgraph.core.config import Settings

# The keeper tests' pipeline: the embedded store, and Redis + Neo4j (integration).
from tests.keeper.conftest import pipeline  # noqa: F401


@flowcept_task
def double(x: int) -> int:
    return 2 * x


def test_documented_counts_hold_and_the_end_is_in_the_file_as_control(settings: Settings
                                                                       ) -> None:
    flowcept = Flowcept(start_persistence=False, save_workflow=True,
                        workflow_name="MyFirstWorkflow")
    flowcept.start()
    FlowceptTask(activity_id="super_func1", used={"x": 1}).send()
    with FlowceptTask(activity_id="super_func2", used={"y": 1}) as t2:
        t2.end(generated={"o": 3})
    t3 = FlowceptTask(activity_id="super_func3", used={"z": 1})
    t3.end(generated={"w": 1})
    flowcept.stop()
    assert len(Flowcept.read_buffer_file()) == 4
    assert len(flowcept.get_buffer()) == 4
    raw = read_jsonl(settings.buffer_file)
    ends = [m for m in raw if wire.is_workflow_end(m)]
    assert len(ends) == 1
    assert ends[0]["workflow_id"] == flowcept.current_workflow_id
    assert ends[0]["status"] == "FINISHED"
    [workflow] = [m for m in raw if m["type"] == "workflow"]
    assert ends[0]["ended_at"] >= workflow["started_at"]


def test_a_run_that_saves_no_workflow_does_not_end_it(settings: Settings) -> None:
    # Producers sharing a workflow_id (the docs' distributed example) must not mark it
    # ended for the others: only the run that sent the workflow message ends it.
    with Flowcept(workflow_id="shared-wf", start_persistence=False, save_workflow=False):
        double(1)
    assert not [m for m in read_jsonl(settings.buffer_file) if wire.is_control(m)]


@pytest.mark.usefixtures("pipeline")
def test_the_stored_workflow_gets_ended_at_and_finished() -> None:
    with Flowcept(workflow_name="ends") as run:
        double(2)
        sleep(0.01)
    workflow = Flowcept.db.get_workflow_object(run.current_workflow_id)
    assert workflow.status == "FINISHED"
    assert workflow.ended_at > workflow.started_at
    assert workflow.name == "ends"


@pytest.mark.usefixtures("pipeline")
def test_an_exception_leaving_the_block_ends_the_workflow_in_error() -> None:
    run = Flowcept(workflow_name="fails")
    with pytest.raises(ZeroDivisionError), run:
        double(3)
        _ = 1 / 0
    workflow = Flowcept.db.get_workflow_object(run.current_workflow_id)
    assert workflow.status == "ERROR"
    assert workflow.ended_at >= workflow.started_at
    stored = Flowcept.db.store.get_node(run.current_workflow_id)["props"]
    assert stored["stderr"] == "ZeroDivisionError: division by zero"
    [task] = Flowcept.db.get_tasks_from_current_workflow()
    assert task["status"] == "FINISHED"  # the task itself ended well


def test_system_exit_zero_is_a_normal_end(settings: Settings) -> None:
    with pytest.raises(SystemExit), Flowcept(workflow_name="exit0", start_persistence=False):
        raise SystemExit(0)
    [end] = [m for m in read_jsonl(settings.buffer_file) if wire.is_workflow_end(m)]
    assert end["status"] == "FINISHED"


@pytest.mark.usefixtures("pipeline")
def test_manual_stop_is_finished_and_the_end_survives_a_late_running_message() -> None:
    run = Flowcept(workflow_name="manual").start()
    run.stop()
    workflow = Flowcept.db.get_workflow_object(run.current_workflow_id)
    assert workflow.status == "FINISHED"
    # The merge rule: a RUNNING workflow message arriving after the end changes nothing.
    Flowcept.db.insert_or_update_workflow({"workflow_id": run.current_workflow_id,
                                           "status": "RUNNING", "ended_at": None})
    assert Flowcept.db.get_workflow_object(run.current_workflow_id).status == "FINISHED"
