"""Lineage through passed objects, kept in both stores: the demo's result reaches its
input, and tasks that merely share constants stay unrelated."""

from __future__ import annotations

from capture import Flowcept, flowcept_task
from keeper.stores.base import Store
from provgraph.cli import demo_workflow
from provgraph.core.config import Settings


@flowcept_task(output_names="loss")
def train(epochs: int, mode: str = "train", verbose: bool = True) -> float:
    return round(0.5 / (epochs + 1), 6)


@flowcept_task(output_names="accuracy")
def evaluate(loss: float, epochs: int = 3, mode: str = "train") -> float:
    return round(1 - loss, 6)


def _activities(store_hits: list[dict], tasks: list[dict]) -> set[str]:
    names = {t["task_id"]: t["activity_id"] for t in tasks}
    return {names[h["id"]] for h in store_hits if h["id"] in names}


def test_demo_write_report_reaches_load_dataset(pipeline: tuple[Settings, Store]) -> None:
    flowcept = demo_workflow.run()
    db = Flowcept.db
    tasks = db.get_tasks_from_current_workflow()
    report = next(t for t in tasks if t["activity_id"] == "write_report")
    upstream = _activities(db.upstream(report["task_id"], depth=10), tasks)
    assert {"evaluate", "train_epoch", "normalise", "load_dataset"} <= upstream
    # the PROV document says evaluate used train_epoch's loss, and write_report evaluate's
    document = db.export(format="provn", workflow_id=flowcept.current_workflow_id)
    last_epoch = [t for t in tasks if t["activity_id"] == "train_epoch"][-1]
    evaluated = next(t for t in tasks if t["activity_id"] == "evaluate")
    used = [line for line in document.splitlines() if line.strip().startswith("used(")
            and evaluated["task_id"] in line]
    assert any(f"{last_epoch['task_id']}/generated/loss" in line for line in used), used


def test_shared_constants_stay_unlinked(pipeline: tuple[Settings, Store]) -> None:
    with Flowcept(workflow_name="constants"):
        train(3, "train", True)
        evaluate(round(0.5 / 4, 6), 3, "train")  # equal values, not the trained loss
    db = Flowcept.db
    tasks = db.get_tasks_from_current_workflow()
    evaluated = next(t for t in tasks if t["activity_id"] == "evaluate")
    assert _activities(db.upstream(evaluated["task_id"], depth=10), tasks) == set()
