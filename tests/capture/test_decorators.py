"""Behaviour of the task decorators beyond the documented examples."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from capture import ArgumentError, Flowcept, flowcept_task, register_dict_class
from capture.context import current_task_id
from tests.capture.conftest import read_all, tasks


class Boom(Exception):
    pass


def test_exception_is_recorded_and_reraised_unchanged() -> None:
    original = Boom("disk full")

    @flowcept_task
    def fails(x):
        raise original

    with Flowcept(workflow_name="errors"), pytest.raises(Boom) as caught:
        fails(1)
    assert caught.value is original
    [task] = tasks(read_all())
    assert task["status"] == "ERROR"
    assert task["stderr"] == "disk full"
    assert task["used"] == {"x": 1}
    assert "generated" not in task


def test_defaults_kwargs_and_varargs_are_bound_to_names() -> None:
    @flowcept_task
    def f(a, b=2, *rest, c=3, **extra):
        return a

    with Flowcept(workflow_name="binding"):
        f(1)
        f(1, 5, 6, 7, c=4, d=8)
    first, second = tasks(read_all())
    assert first["used"] == {"a": 1, "b": 2, "c": 3}
    assert second["used"] == {"a": 1, "b": 5, "rest": [6, 7], "c": 4, "d": 8}


def test_methods_do_not_record_self() -> None:
    class Model:
        @flowcept_task(output_names="score")
        def evaluate(self, data):
            return len(data)

    with Flowcept(workflow_name="methods"):
        assert Model().evaluate([1, 2, 3]) == 3
    [task] = tasks(read_all())
    assert task["used"] == {"data": [1, 2, 3]}
    assert task["generated"] == {"score": 3}


def test_nested_tasks_get_their_parent() -> None:
    @flowcept_task
    def inner(x):
        return x + 1

    @flowcept_task
    def outer(x):
        return inner(x) * 2

    with Flowcept(workflow_name="nesting"):
        assert outer(1) == 4
    messages = read_all()
    [outer_task] = tasks(messages, activity_id="outer")
    [inner_task] = tasks(messages, activity_id="inner")
    assert inner_task["parent_task_id"] == outer_task["task_id"]
    assert "parent_task_id" not in outer_task
    assert current_task_id() is None


def test_async_tasks_keep_their_parent_across_gather() -> None:
    @flowcept_task
    async def leaf(i):
        await asyncio.sleep(0.01 * (3 - i))
        return i

    @flowcept_task
    async def branch(name):
        results = await asyncio.gather(*(leaf(i) for i in range(3)))
        return sum(results)

    async def main():
        return await asyncio.gather(branch("a"), branch("b"))

    with Flowcept(workflow_name="async"):
        assert asyncio.run(main()) == [3, 3]
    messages = read_all()
    branches = {t["task_id"]: t for t in tasks(messages, activity_id="branch")}
    leaves = tasks(messages, activity_id="leaf")
    assert len(branches) == 2 and len(leaves) == 6
    for leaf_task in leaves:
        assert leaf_task["parent_task_id"] in branches
    per_branch = {tid: 0 for tid in branches}
    for leaf_task in leaves:
        per_branch[leaf_task["parent_task_id"]] += 1
    assert set(per_branch.values()) == {3}
    assert all(b["generated"] == {"arg_0": 3} for b in branches.values())


def test_many_threads_at_once_keep_parents_apart() -> None:
    @flowcept_task
    def child(i):
        return i

    @flowcept_task
    def parent(i):
        barrier.wait(timeout=10)
        return child(i)

    barrier = threading.Barrier(8)
    with Flowcept(workflow_name="threads"), ThreadPoolExecutor(8) as pool:
        assert sorted(pool.map(parent, range(8))) == list(range(8))
    messages = read_all()
    parents = {t["used"]["i"]: t for t in tasks(messages, activity_id="parent")}
    children = tasks(messages, activity_id="child")
    assert len(children) == 8
    for child_task in children:
        assert child_task["parent_task_id"] == parents[child_task["used"]["i"]]["task_id"]
    # threads started by user code fall back to the process-wide workflow
    assert {t["workflow_id"] for t in children} == {parents[0]["workflow_id"]}


def test_task_ids_are_unique_in_a_fast_loop() -> None:
    @flowcept_task
    def tick(i):
        return i

    with Flowcept(workflow_name="fast"):
        for i in range(5000):
            tick(i)
    ids = [t["task_id"] for t in tasks(read_all())]
    assert len(ids) == 5000 == len(set(ids))


def test_workflow_and_campaign_overrides() -> None:
    @flowcept_task(campaign_id="camp-decorator")
    def fixed(x):
        return x

    @flowcept_task
    def accepts(x, workflow_id=None):
        return workflow_id

    with Flowcept(workflow_name="overrides"):
        fixed(1)
        fixed(2, workflow_id="wf-call")  # fixed() does not take it: used only as override
        assert accepts(3, workflow_id="wf-passed") == "wf-passed"
    first, second, third = tasks(read_all())
    assert first["campaign_id"] == "camp-decorator"
    assert second["workflow_id"] == "wf-call" and second["used"] == {"x": 2}
    assert third["workflow_id"] == "wf-passed"


class WithFlowceptDict:
    def to_flowcept_dict(self) -> dict[str, Any]:
        return {"kind": "flowcept"}


class WithToDict:
    def to_dict(self) -> dict[str, Any]:
        return {"kind": "to_dict"}


@register_dict_class
class Registered:
    def __init__(self) -> None:
        self.a = 1
        self.b = "two"


class Opaque:
    pass


class BrokenToDict:
    def to_dict(self) -> dict[str, Any]:
        raise RuntimeError("broken")


def test_non_serializable_values_are_replaced_as_documented() -> None:
    @flowcept_task
    def take(a, b, c, d, e):
        return {"out": Opaque()}

    opaque = Opaque()
    with Flowcept(workflow_name="serialize"):
        take(WithFlowceptDict(), WithToDict(), Registered(), opaque, BrokenToDict())
    [task] = tasks(read_all())
    used = task["used"]
    assert used["a"] == {"kind": "flowcept"}
    assert used["b"] == {"kind": "to_dict"}
    assert used["c"] == {"a": 1, "b": "two"}
    assert used["d"] == f"Opaque_instance_id_{id(opaque)}"
    assert used["e"].startswith("BrokenToDict_instance_id_")
    assert task["generated"]["out"].startswith("Opaque_instance_id_")


def test_inputs_are_recorded_as_they_were_when_the_task_ran() -> None:
    @flowcept_task
    def append(items):
        return len(items)

    data = [1]
    with Flowcept(workflow_name="snapshot"):
        append(data)
        data.append(2)
    [task] = tasks(read_all())
    assert task["used"] == {"items": [1]}


def test_wrong_decorator_arguments_raise_clear_errors() -> None:
    with pytest.raises(ArgumentError, match="output_names"):
        flowcept_task(output_names=3)(lambda: None)
    with pytest.raises(ArgumentError, match="custom_metadata"):
        flowcept_task(custom_metadata=["x"])(lambda: None)
    with pytest.raises(ArgumentError, match="unknown task option"):
        flowcept_task(outputs="y")
    with pytest.raises(ArgumentError, match="first argument"):
        flowcept_task(42)


def test_decorated_function_outside_any_flowcept_uses_an_implicit_workflow() -> None:
    @flowcept_task
    def lonely(x):
        return x

    assert lonely(5) == 5
    messages = read_all()
    [task] = tasks(messages)
    [workflow] = [m for m in messages if m["type"] == "workflow"]
    assert workflow["subtype"] == "implicit"
    assert task["workflow_id"] == workflow["workflow_id"]


def test_wrapped_function_metadata_is_kept() -> None:
    @flowcept_task
    def documented(x: int) -> int:
        """Doc."""
        return x

    assert documented.__name__ == "documented"
    assert documented.__doc__ == "Doc."


def test_lightweight_task_inside_a_task_records_its_parent() -> None:
    from capture import lightweight_flowcept_task

    @lightweight_flowcept_task
    def step(x):
        return {"double": 2 * x}

    @flowcept_task
    def outer(x):
        return step(x)

    with Flowcept(workflow_name="light_nested"):
        outer(4)
    messages = read_all()
    [outer_task] = tasks(messages, activity_id="outer")
    [step_task] = tasks(messages, activity_id="step")
    assert step_task["parent_task_id"] == outer_task["task_id"]
    assert step_task["generated"] == {"double": 8}
