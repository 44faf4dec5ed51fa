"""A small but complete run to report on: loading, a training loop, evaluation, a failing
task with a dependent, telemetry and raw data."""

from __future__ import annotations

import time
from typing import Any

from capture import Flowcept, FlowceptLoop, FlowceptTask, flowcept_task, telemetry_flowcept_task

PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)


@flowcept_task(output_names="dataset")
def load(path: str) -> str:
    time.sleep(0.01)
    return "rows from " + path + " " + "x" * 20


@telemetry_flowcept_task(output_names="model")
def train(dataset: str, epochs: int = 3, lr: float = 0.1) -> list[float]:
    loop = FlowceptLoop(range(epochs), loop_name="epochs", item_name="epoch")
    for epoch in loop:
        time.sleep(0.005)
        loop.end_iter({"loss": 1.0 / (epoch + 1)})
    return [lr, 0.25, 0.125, float(len(dataset))]


@flowcept_task(output_names="accuracy")
def evaluate(model: list[float], split: str = "test") -> float:
    time.sleep(0.002)
    return 0.91


@flowcept_task(output_names="report_path")
def publish(summary: str, model: list[float]) -> str:
    raise RuntimeError("upload refused: quota exceeded\nsecond line of the trace")


@flowcept_task(output_names="summary")
def summarize(model: list[float]) -> str:
    return "model summary " + str(model)


def run_sample(name: str = "sample_pipeline", campaign_id: str | None = None,
               lr: float = 0.1, fail: bool = True, **flowcept: Any) -> Flowcept:
    """Run the sample workflow; returns its ``Flowcept`` (stopped)."""
    with Flowcept(workflow_name=name, campaign_id=campaign_id,
                  workflow_args={"lr": lr, "epochs": 3}, **flowcept) as run:
        dataset = load("/data/train.csv")
        model = train(dataset, epochs=3, lr=lr)
        evaluate(model)
        summary = summarize(model)
        with FlowceptTask(activity_id="render_plot", used={"model": model}) as plot:
            plot.end(data=PNG, custom_metadata={"file_type": "image/png"},
                     generated={"plot": "loss.png"})
        if fail:
            try:
                with FlowceptTask(activity_id="release", used={"version": "1.2"}):
                    publish(summary, model)
            except RuntimeError:
                pass
    return run
