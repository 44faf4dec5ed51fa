"""Loops as Flowcept 1.0.3 has them: exactly one task per iteration, no task for the loop as
a whole (its loop tests count ``len(items)`` documents per workflow, empty loops none), the
iterations of one loop sharing a ``group_id``."""

from __future__ import annotations

from typing import Any

import pytest

from capture import Flowcept, FlowceptLightweightLoop, FlowceptLoop, FlowceptTask, flowcept_task
from tests.capture.conftest import read_all, tasks

LOOPS = [FlowceptLoop, FlowceptLightweightLoop]


def _run(loop_class: type, items: Any, **kwargs: Any) -> Flowcept:
    with Flowcept(workflow_name="loop") as run:
        loop = loop_class(items, **kwargs)
        for item in loop:
            loop.end_iter({"seen": item})
    return run


@pytest.mark.parametrize("loop_class", LOOPS)
def test_a_loop_of_n_items_is_n_tasks_in_the_buffer_and_the_store(loop_class: type) -> None:
    run = _run(loop_class, [10, 20, 30], loop_name="epochs", item_name="epoch")
    in_buffer = tasks(run.get_buffer())
    assert len(in_buffer) == 3
    assert [t["activity_id"] for t in in_buffer] == ["epochs_iteration"] * 3
    assert [t["used"] for t in in_buffer] == [{"i": i, "epoch": e}
                                              for i, e in enumerate([10, 20, 30])]
    assert [t["generated"] for t in in_buffer] == [{"seen": e} for e in [10, 20, 30]]
    assert len(tasks(read_all())) == 3
    stored = Flowcept.db.get_tasks_from_current_workflow()
    assert sorted(t["used"]["i"] for t in stored) == [0, 1, 2]
    queried = Flowcept.db.query(filter={"workflow_id": Flowcept.current_workflow_id})
    assert len(queried) == 3
    assert all(t["status"] == "FINISHED" for t in queried)


@pytest.mark.parametrize("loop_class", LOOPS)
def test_iterations_of_one_loop_share_a_group_id_that_is_no_task(loop_class: type) -> None:
    with Flowcept(workflow_name="two_loops"):
        first = loop_class([1, 2], loop_name="a")
        for _ in first:
            pass
        second = loop_class([1, 2], loop_name="b")
        for _ in second:
            pass
    messages = tasks(read_all())
    groups = {t["activity_id"]: set() for t in messages}
    for task in messages:
        groups[task["activity_id"]].add(task["group_id"])
    assert set(groups) == {"a_iteration", "b_iteration"}
    assert all(len(ids) == 1 for ids in groups.values())
    assert groups["a_iteration"] != groups["b_iteration"]
    task_ids = {t["task_id"] for t in messages}
    assert not {t["group_id"] for t in messages} & task_ids
    assert all(t.get("parent_task_id") is None for t in messages)


@pytest.mark.parametrize("loop_class", LOOPS)
@pytest.mark.parametrize("items", [[], range(0)])
def test_an_empty_loop_gives_no_task(loop_class: type, items: Any) -> None:
    run = _run(loop_class, items)
    assert tasks(run.get_buffer()) == []
    assert Flowcept.db.get_tasks_from_current_workflow() == []


def test_an_empty_int_loop_gives_no_task() -> None:
    run = _run(FlowceptLoop, 0)
    assert tasks(run.get_buffer()) == []


@pytest.mark.parametrize("loop_class", LOOPS)
def test_parent_task_id_is_the_parent_of_every_iteration(loop_class: type) -> None:
    run = _run(loop_class, range(2), parent_task_id="mock_task123")
    assert [t["parent_task_id"] for t in tasks(run.get_buffer())] == ["mock_task123"] * 2


def test_a_loop_inside_a_task_has_that_task_as_parent() -> None:
    with Flowcept(workflow_name="nested") as run, FlowceptTask(activity_id="train") as outer:
        for _ in FlowceptLoop(range(2)):
            pass
    iterations = tasks(run.get_buffer(), subtype="iteration")
    assert [t["parent_task_id"] for t in iterations] == [outer.get_id()] * 2


def test_tasks_called_inside_an_iteration_keep_it_as_their_parent() -> None:
    @flowcept_task
    def step(x: int) -> int:
        return x

    with Flowcept(workflow_name="children") as run:
        loop = FlowceptLoop(range(3))
        for i in loop:
            step(i)
        step(99)
    messages = run.get_buffer()
    iteration_ids = [t["task_id"] for t in tasks(messages, subtype="iteration")]
    steps = tasks(messages, activity_id="step")
    assert [t.get("parent_task_id") for t in steps] == [*iteration_ids, None]
    assert len(tasks(messages)) == 7  # 3 iterations + 4 steps, no loop task


def test_an_enumerated_iterator_is_materialized_into_one_task_per_item() -> None:
    with Flowcept(workflow_name="enumerate") as run:
        last = -1
        for i, _batch in FlowceptLoop(enumerate(range(0, 26, 20))):
            last = i
    assert len(tasks(run.get_buffer())) == last + 1 == 2


def test_a_loop_left_by_break_publishes_the_iterations_it_ran() -> None:
    with Flowcept(workflow_name="break") as run:
        loop = FlowceptLoop(range(10))
        for i in loop:
            if i == 2:
                break
        del loop  # the open iteration is published when the loop goes away
    assert [t["used"]["i"] for t in tasks(run.get_buffer())] == [0, 1, 2]
