"""The demo workflow behind ``make demo`` / ``provgraph demo`` (see :mod:`.demo`).

A small "train and evaluate" pipeline: load a dataset, normalise it, train over epochs
(a FlowceptLoop), evaluate, and write a report with an explicit FlowceptTask.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from typing import Any

from capture import Flowcept, FlowceptLoop, FlowceptTask, flowcept_task
from provgraph.core import wire


@flowcept_task(output_names="dataset")
def load_dataset(path: str, rows: int) -> list[float]:
    rng = random.Random(42)
    return [rng.gauss(10.0, 3.0) for _ in range(rows)]


@flowcept_task(output_names=["normalised", "mean", "std"])
def normalise(dataset: list[float]) -> tuple[list[float], float, float]:
    mean = sum(dataset) / len(dataset)
    std = math.sqrt(sum((x - mean) ** 2 for x in dataset) / len(dataset))
    return [round((x - mean) / std, 6) for x in dataset], mean, std


@flowcept_task(output_names="loss")
def train_epoch(normalised: list[float], epoch: int, learning_rate: float = 0.1) -> float:
    return round(1.0 / (1 + learning_rate * (epoch + 1) * len(normalised) / 100), 6)


@flowcept_task(output_names="accuracy")
def evaluate(normalised: list[float], final_loss: float) -> float:
    return round(1.0 - final_loss / 2, 6)


def run(workflow_name: str = "demo-train-evaluate", epochs: int = 3, **flowcept_kwargs: Any
        ) -> Flowcept:
    """Run the pipeline inside a Flowcept workflow and return the (stopped) controller."""
    flowcept = Flowcept(workflow_name=workflow_name,
                        workflow_args={"epochs": epochs, "rows": 200}, **flowcept_kwargs)
    with flowcept:
        dataset = load_dataset("data/measurements.csv", 200)
        normalised, _mean, _std = normalise(dataset)
        loss = 1.0
        loop = FlowceptLoop(range(epochs), loop_name="training", item_name="epoch")
        for epoch in loop:
            loss = train_epoch(normalised, epoch)
            loop.end_iter({"loss": loss})
        accuracy = evaluate(normalised, loss)
        with FlowceptTask(activity_id="write_report", used={"accuracy": accuracy}) as report:
            report.end(generated={"report": f"accuracy={accuracy}"})
    return flowcept


def summary(messages: list[dict[str, Any]]) -> list[str]:
    """Lines describing the captured run: tasks by activity and status."""
    tasks = [m for m in messages if m.get(wire.TYPE) == wire.TASK]
    workflows = [m for m in messages if m.get(wire.TYPE) == wire.WORKFLOW]
    by_activity = Counter(t.get("activity_id") for t in tasks)
    by_status = Counter(t.get("status") for t in tasks)
    lines = [
        f"workflows: {len(workflows)}  task messages: {len(tasks)}  "
        f"statuses: {', '.join(f'{k}={v}' for k, v in sorted(by_status.items()))}",
    ]
    lines += [f"  {name:<22} x{count}" for name, count in sorted(by_activity.items())]
    return lines
