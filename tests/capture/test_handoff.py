"""Lineage through passed objects (capture/handoff.py): a task that receives the very
object an earlier task produced depends on it; equal values, shared constants and reused
ids link nothing; memory stays bounded."""

from __future__ import annotations

import gc
from typing import Any

from capture import Flowcept, FlowceptLoop, FlowceptTask, flowcept_task, handoff
from capture import lightweight_flowcept_task as light
from tests.capture.conftest import read_all, tasks


class Model:  # supports weak references
    def __init__(self, weight: float) -> None:
        self.weight = weight

    def to_dict(self) -> dict[str, Any]:
        return {"weight": self.weight}


@flowcept_task(output_names="loss")
def train(epochs: int, mode: str = "train", verbose: bool = True) -> float:
    return round(0.5 / (epochs + 1), 6)


@flowcept_task(output_names="accuracy")
def evaluate(loss: float, epochs: int = 3, mode: str = "train") -> float:
    return round(1 - loss, 6)


@flowcept_task(output_names="model")
def fit(rows: int) -> Model:
    return Model(rows / 1000)


@flowcept_task(output_names="score")
def score(model: Model) -> float:
    return model.weight * 2


@flowcept_task
def constant() -> float:
    return 1234.5


@flowcept_task
def consume(x: Any) -> None:
    return None


def by_activity(messages: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {m["activity_id"]: m for m in tasks(messages)}


def test_a_passed_number_links_consumer_to_producer() -> None:
    with Flowcept(workflow_name="handoff", start_persistence=False):
        loss = train(3)
        evaluate(loss)
    found = by_activity(read_all())
    producer, consumer = found["train"], found["evaluate"]
    assert consumer["dependencies"] == [producer["task_id"]]
    assert consumer["used_from"] == {"loss": [producer["task_id"], "loss"]}


def test_equal_constants_and_recomputed_values_stay_unlinked() -> None:
    with Flowcept(workflow_name="constants", start_persistence=False):
        loss = train(3, "train", True)  # epochs=3, "train", True: shared by value
        evaluate(round(0.5 / 4, 6), 3, "train")  # an equal loss computed again
        evaluate(float(str(loss)), epochs=3, mode="train")  # an equal copy
    found = tasks(read_all(), activity_id="evaluate")
    assert len(found) == 2
    for message in found:
        assert "dependencies" not in message and "used_from" not in message


def test_a_returned_code_constant_links_nothing() -> None:
    with Flowcept(workflow_name="code_constant", start_persistence=False):
        consume(constant())  # 1234.5 is a constant of constant()'s code
    assert "dependencies" not in tasks(read_all(), activity_id="consume")[0]


def test_an_object_links_by_weak_reference_and_a_reused_id_does_not() -> None:
    with Flowcept(workflow_name="weak", start_persistence=False):
        model = fit(500)
        score(model)
        freed_id = id(model)
        del model
        gc.collect()
        # New objects until one takes the freed id (CPython reuses freed memory quickly).
        others = [Model(0.0) for _ in range(10_000)]
        reused = next((o for o in others if id(o) == freed_id), None)
        assert handoff.producer_of(reused) is None if reused is not None else True
        score(reused if reused is not None else others[0])
    scored = tasks(read_all(), activity_id="score")
    fitted = tasks(read_all(), activity_id="fit")[0]
    assert scored[0]["dependencies"] == [fitted["task_id"]]
    assert "dependencies" not in scored[1]


def test_memory_stays_bounded(settings: Any) -> None:
    handoff.set_capacity(100)
    try:
        with Flowcept(workflow_name="bounded", start_persistence=False):
            first = train(1000)
            for epochs in range(1000, 1300):
                train(epochs)
            assert handoff.remembered() <= 100
            evaluate(first)  # forgotten: no link, and no wrong one
        assert "dependencies" not in tasks(read_all(), activity_id="evaluate")[0]
    finally:
        handoff.set_capacity(settings.instrumentation.passed_objects)


def test_explicit_tasks_loops_and_lightweight_tasks_link_too() -> None:
    @light
    def halve(x: float) -> float:
        return x / 2

    with Flowcept(workflow_name="kinds", start_persistence=False):
        loss = train(7)
        half = halve(loss)
        loop = FlowceptLoop([half], loop_name="sweep", item_name="value")
        for value in loop:
            loop.end_iter({"scaled": value * 3})
        with FlowceptTask(activity_id="report", used={"half": half}) as report:
            report.end(generated={"text": "done"})
    found = by_activity(read_all())
    assert found["halve"]["dependencies"] == [found["train"]["task_id"]]
    assert found["sweep_iteration"]["used_from"] == {
        "value": [found["halve"]["task_id"], "arg_0"]}
    assert found["report"]["dependencies"] == [found["halve"]["task_id"]]


def test_the_first_producer_keeps_an_object() -> None:
    with Flowcept(workflow_name="first", start_persistence=False):
        loop = FlowceptLoop(range(2), loop_name="epochs", item_name="epoch")
        loss = 0.0
        for epoch in loop:
            loss = train(epoch + 10)
            loop.end_iter({"loss": loss})  # the iteration records the loss, not makes it
        evaluate(loss)
    messages = read_all()
    last_train = tasks(messages, activity_id="train")[-1]
    assert tasks(messages, activity_id="evaluate")[0]["dependencies"] == [last_train["task_id"]]


def test_switched_off_with_zero(settings: Any) -> None:
    handoff.set_capacity(0)
    try:
        with Flowcept(workflow_name="off", start_persistence=False):
            evaluate(train(3))
        assert "dependencies" not in tasks(read_all(), activity_id="evaluate")[0]
    finally:
        handoff.set_capacity(settings.instrumentation.passed_objects)
