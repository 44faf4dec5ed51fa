"""Every example of the Flowcept "Provenance Capture Methods" page, with the import changed
to ``from capture import ...``, and the messages ``read_buffer_file()`` must return."""

from __future__ import annotations

import argparse
import itertools as it
import random
from time import sleep
from uuid import uuid4

import pytest

from capture import (
    Flowcept,
    FlowceptLightweightLoop,
    FlowceptLoop,
    FlowceptTask,
    agent_flowcept_task,
    flowcept,
    flowcept_task,
    lightweight_flowcept_task,
    telemetry_flowcept_task,
)
from tests.capture.conftest import read_all, tasks


def test_context_manager() -> None:
    @flowcept_task(output_names="z")
    def add_one(x):
        return x + 1

    with Flowcept(workflow_name="my_workflow"):
        z = add_one(7)
    assert z == 8
    messages = read_all()
    workflows = [m for m in messages if m["type"] == "workflow"]
    assert len(workflows) == 1 and workflows[0]["name"] == "my_workflow"
    [task] = tasks(messages)
    assert task["used"] == {"x": 7}
    assert task["generated"] == {"z": 8}
    assert task["status"] == "FINISHED"
    assert task["activity_id"] == "add_one"
    assert task["workflow_id"] == workflows[0]["workflow_id"]
    assert task["started_at"] <= task["ended_at"]


def test_manual_start_stop() -> None:
    @flowcept_task
    def double(x):
        return 2 * x

    flowcept = Flowcept(workflow_name="manual_example")
    flowcept.start()
    y = double(21)
    flowcept.stop()
    assert y == 42
    [task] = tasks(read_all())
    assert task["used"] == {"x": 21}
    assert task["generated"] == {"arg_0": 42}
    assert task["workflow_id"] == flowcept.current_workflow_id


def test_distributed_producer_with_explicit_workflow_id() -> None:
    workflow_id = str(uuid4())

    @flowcept_task
    def double(x):
        return 2 * x

    flowcept = Flowcept(
        workflow_id=workflow_id,
        start_persistence=False,
        check_safe_stops=False,
        save_workflows=False,  # spelled this way in the docs' example
    )
    flowcept.start()
    y = double(21)
    flowcept.stop()
    assert y == 42
    messages = read_all()
    assert [m["type"] for m in messages] == ["task"]
    assert messages[0]["workflow_id"] == workflow_id


def test_custom_args() -> None:
    @flowcept_task
    def train_model():
        return 0.5

    args = {"epochs_list": [10, 100], "learning_rates": [0.1, 0.01, 0.001]}
    with Flowcept(
        workflow_name="training_workflow",
        workflow_subtype="ml_workflow",
        campaign_id="experiment_42",
        start_persistence=True,
        interceptors=["instrumentation", "dask"],
        workflow_args=args,
    ):
        train_model()
    messages = read_all()
    [workflow] = [m for m in messages if m["type"] == "workflow"]
    assert workflow["name"] == "training_workflow"
    assert workflow["subtype"] == "ml_workflow"
    assert workflow["campaign_id"] == "experiment_42"
    assert workflow["used"] == args
    [task] = tasks(messages)
    assert task["campaign_id"] == "experiment_42"
    assert task["used"] == {}


def test_flowcept_decorator_runs_main_as_workflow() -> None:
    @flowcept_task
    def step(x):
        return x * 3

    @flowcept
    def main():
        return step(2)

    assert main() == 6
    # Flowcept's decorator defaults: save_workflow=False, so the buffer holds the task only
    # (its start_here.py example asserts exactly that).
    [task] = read_all()
    assert task["type"] == "task"
    assert task["workflow_id"] == Flowcept.current_workflow_id
    assert task["generated"] == {"arg_0": 6}


def test_simple_example_mult_two() -> None:
    @flowcept_task(output_names="y")
    def mult_two(x: int) -> int:
        return 2 * x

    with Flowcept(workflow_name="demo"):
        y = mult_two(21)
    assert y == 42
    [task] = tasks(read_all())
    assert task["used"] == {"x": 21}
    assert task["generated"] == {"y": 42}


def test_advanced_usage_outputs_tags_metadata() -> None:
    @flowcept_task(
        output_names=["y", "z"], tags=["math", "demo"], custom_metadata={"owner": "devX"}
    )
    def compute(x):
        return x * 2, x * 3

    with Flowcept(workflow_name="advanced"):
        result = compute(5)
    assert result == (10, 15)
    [task] = tasks(read_all())
    assert task["generated"] == {"y": 10, "z": 15}
    assert task["tags"] == ["math", "demo"]
    assert task["custom_metadata"] == {"owner": "devX"}


def test_custom_args_handler_drops_big_arguments() -> None:
    args_to_drop = ["very_big_list", "super_large_matrix"]

    def custom_args_handler(*args, **kwargs):
        if len(args):
            raise Exception("named args only")
        handled = {}
        for i, arg in enumerate(args):
            handled[f"arg_{i}"] = arg
        handled.update(kwargs)
        for k in args_to_drop:
            handled.pop(k, None)
        return handled

    @flowcept_task(args_handler=custom_args_handler, output_names="result")
    def heavy_function(x, very_big_list, super_large_matrix):
        return x * 2

    with Flowcept(workflow_name="handler"):
        result = heavy_function(x=4, very_big_list=list(range(1000)),
                                super_large_matrix=[[1] * 100] * 100)
    assert result == 8
    [task] = tasks(read_all())
    assert task["used"] == {"x": 4}
    assert task["generated"] == {"result": 8}


def test_argparse_namespace_is_flattened() -> None:
    @flowcept_task
    def run(args):
        return args.lr * 10

    with Flowcept(workflow_name="argparse"):
        run(argparse.Namespace(lr=0.5, epochs=3))
    [task] = tasks(read_all())
    assert task["used"] == {"lr": 0.5, "epochs": 3}


def test_telemetry_task_records_telemetry() -> None:
    @telemetry_flowcept_task
    def train_step(batch):
        return 0.123

    with Flowcept(workflow_name="telemetry"):
        assert train_step([1, 2, 3]) == 0.123
    [task] = tasks(read_all())
    for key in ("telemetry_at_start", "telemetry_at_end"):
        telemetry = task[key]
        assert telemetry["cpu"]["count"] >= 1
        assert telemetry["memory"]["virtual"]["total"] > 0
        assert telemetry["process"]["memory"]["rss"] > 0
        assert "gpu" not in telemetry  # no GPU on this machine: absent, without error
    assert task["generated"] == {"arg_0": 0.123}


def test_lightweight_task() -> None:
    @lightweight_flowcept_task
    def fast_op(x):
        return x + 1

    with Flowcept(workflow_name="light", campaign_id="camp-light") as flowcept:
        results = [fast_op(i) for i in range(10)]
    assert results == list(range(1, 11))
    light = tasks(read_all(), activity_id="fast_op")
    for task in light:
        assert task["workflow_id"] == flowcept.current_workflow_id
        assert task["campaign_id"] == "camp-light"
        assert task["status"] == "FINISHED" and task["subtype"] == "lightweight"
        assert isinstance(task["ended_at"], float)
    assert [t["used"] for t in light] == [{"x": i} for i in range(10)]
    assert [t["generated"] for t in light] == [{"arg_0": i + 1} for i in range(10)]
    assert len({t["task_id"] for t in light}) == 10


def test_loop_instrumentation_basic() -> None:
    with Flowcept():
        loop = FlowceptLoop(range(5))
        for item in loop:
            loss = random.random()
            sleep(0.01)
            loop.end_iter({"item": item, "loss": loss})
    iterations = tasks(read_all(), subtype="iteration")
    assert [t["used"] for t in iterations] == [{"i": i, "item": i} for i in range(5)]
    assert all(t["generated"]["item"] == t["used"]["item"] for t in iterations)
    assert all(t["status"] == "FINISHED" for t in iterations)


def test_loop_per_iteration_streaming() -> None:
    with Flowcept(workflow_name="telemetry_stream"):
        loop = FlowceptLoop(range(5), loop_name="train_loop", item_name="epoch")
        for epoch in loop:
            loss = 0.1 * (5 - epoch)
            loop.end_iter({"loss": loss})
    messages = read_all()
    iterations = tasks(messages, activity_id="train_loop_iteration")
    assert len(iterations) == 5
    assert [t["used"]["epoch"] for t in iterations] == [0, 1, 2, 3, 4]
    assert [t["generated"]["loss"] for t in iterations] == pytest.approx([0.5, 0.4, 0.3, 0.2, 0.1])
    assert len(tasks(messages)) == 5  # one task per iteration, none for the whole loop
    assert len({t["group_id"] for t in iterations}) == 1


def test_tasks_inside_a_loop_iteration_have_it_as_parent() -> None:
    @flowcept_task
    def train(epoch):
        return epoch

    with Flowcept(workflow_name="nested_loop"):
        loop = FlowceptLoop(3, item_name="epoch")
        for epoch in loop:
            train(epoch)
        train(99)
    messages = read_all()
    iteration_ids = [t["task_id"] for t in tasks(messages, subtype="iteration")]
    trained = tasks(messages, activity_id="train")
    assert [t.get("parent_task_id") for t in trained] == [*iteration_ids, None]


def test_lightweight_loop_batched_publish() -> None:
    data = [0, 1, 2, 3, 4]
    with Flowcept(workflow_name="batched_publish"):
        loop = FlowceptLightweightLoop(data, loop_name="eval_loop", item_name="batch")
        for batch in loop:
            loop.end_iter({"metric": batch * 2})
    iterations = tasks(read_all(), activity_id="eval_loop_iteration")
    assert [t["used"]["batch"] for t in iterations] == data
    assert [t["generated"] for t in iterations] == [{"metric": b * 2} for b in data]


def test_loops_over_unknown_length_iterators() -> None:
    stream = it.islice(it.count(), 0, 100)
    with Flowcept(workflow_name="iterators"):
        loop_a = FlowceptLoop(stream, loop_name="loop_a", item_name="i", items_length=100)
        for i in loop_a:
            loop_a.end_iter({"v": i * i})
        stream2 = it.islice(it.count(), 0, 100)
        loop_b = FlowceptLightweightLoop(stream2, loop_name="loop_b", item_name="i",
                                         items_length=100)
        for i in loop_b:
            loop_b.end_iter({"v": i * i})
    messages = read_all()
    for name in ("loop_a", "loop_b"):
        iterations = tasks(messages, activity_id=f"{name}_iteration")
        assert [t["generated"]["v"] for t in iterations] == [i * i for i in range(100)]


def test_lightweight_loop_needs_length_for_iterators() -> None:
    from capture import ArgumentError

    with Flowcept(workflow_name="no_length"), pytest.raises(ArgumentError, match="items_length"):
        FlowceptLightweightLoop(iter([1, 2, 3]))


def test_custom_tasks_download_and_parse() -> None:
    with Flowcept(workflow_name="custom_tasks"):
        with FlowceptTask(activity_id="download", used={"url": "https://example.org/x"}) as t:
            data = b"..."
            t.end(data=data, generated={"bytes": len(data)})
        task = FlowceptTask(activity_id="parse", used={"bytes": len(data)})
        task.end({"records": 42})
        task.send()
    messages = read_all()
    download = tasks(messages, activity_id="download")
    parse = tasks(messages, activity_id="parse")
    assert len(download) == 1 and len(parse) == 1
    assert download[0]["generated"] == {"bytes": 3}
    assert parse[0]["generated"] == {"records": 42}
    assert parse[0]["status"] == "FINISHED"


def test_custom_task_patterns_give_four_messages() -> None:
    flowcept = Flowcept(start_persistence=False, save_workflow=True,
                        workflow_name="MyFirstWorkflow")
    flowcept.start()
    agent1 = uuid4()
    FlowceptTask(activity_id="super_func1", used={"x": 1}, agent_id=agent1, tags=["tag1"]).send()
    with FlowceptTask(activity_id="super_func2", used={"y": 1}, agent_id=agent1,
                      tags=["tag2"]) as t2:
        sleep(0.05)
        t2.end(generated={"o": 3})
    t3 = FlowceptTask(activity_id="super_func3", used={"z": 1}, agent_id=agent1, tags=["tag3"])
    sleep(0.01)
    t3.end(generated={"w": 1})
    flowcept.stop()
    flowcept_messages = Flowcept.read_buffer_file()
    assert len(flowcept_messages) == 4
    by_activity = {m.get("activity_id"): m for m in flowcept_messages}
    assert by_activity["super_func1"]["ended_at"] == by_activity["super_func1"]["started_at"]
    assert by_activity["super_func2"]["generated"] == {"o": 3}
    assert by_activity["super_func2"]["ended_at"] - by_activity["super_func2"]["started_at"] >= 0.04
    assert by_activity["super_func3"]["generated"] == {"w": 1}
    assert {m["agent_id"] for m in flowcept_messages if m["type"] == "task"} == {str(agent1)}


def test_custom_task_auto_ends_with_end_like_fields() -> None:
    with Flowcept(workflow_name="auto_end"):
        FlowceptTask(activity_id="known", used={"a": 1}, generated={"b": 2})
    [task] = tasks(read_all(), activity_id="known")
    assert task["status"] == "FINISHED" and task["generated"] == {"b": 2}


def test_agent_task() -> None:
    @agent_flowcept_task
    def tool_example(x, y, campaign_id=None):
        return {"answer": x + y}

    with Flowcept(workflow_name="agent"):
        assert tool_example(1, 2) == {"answer": 3}
    [task] = tasks(read_all(), activity_id="tool_example")
    assert task["subtype"] == "agent_task"
    assert task["used"] == {"x": 1, "y": 2, "campaign_id": None}
    assert task["generated"] == {"answer": 3}


def test_flowcept_torch_forward_is_a_task() -> None:
    torch = pytest.importorskip("torch")
    from capture import flowcept_torch

    @flowcept_torch
    class MyNet(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = torch.nn.Linear(10, 1)

        def forward(self, x):
            return self.fc(x)

    with Flowcept(workflow_name="torch"):
        MyNet()(torch.randn(4, 10))
    [task] = tasks(read_all(), subtype="torch_forward")
    assert task["used"]["x"]["shape"] == [4, 10]
