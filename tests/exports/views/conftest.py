"""A small workflow for the view tests: a load step, a loop of 12 epochs (one failed), an
evaluation, run by a person — in the embedded store."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import Any

import pytest

from keeper.lineage.api import value_id
from keeper.stores.embedded import EmbeddedStore
from prov_model import map_batch

RAW = "/data/raw/measurements.csv"
DATASET = "the loaded dataset, long enough to be shared"
WF = "wf-views"
EPOCHS = 12


def weights(i: int) -> str:
    return f"model weights after epoch {i} (long value)"


def messages() -> list[dict[str, Any]]:
    def task(task_id: str, activity: str, start: float, **fields: Any) -> dict[str, Any]:
        return {"type": "task", "task_id": task_id, "workflow_id": WF, "activity_id": activity,
                "status": "FINISHED", "started_at": start, "ended_at": start + 1,
                "user": "alice", "hostname": "node-1", **fields}

    out = [{"type": "workflow", "workflow_id": WF, "name": "views-demo", "started_at": 1.0,
            "user": "alice"},
           task("load", "load", 1.0, used={"path": RAW}, generated={"dataset": DATASET})]
    for i in range(EPOCHS):
        out.append(task(f"epoch-{i}", "epoch", 2.0 + i, used={"data": DATASET, "i": i},
                        generated={"weights": weights(i)},
                        status="ERROR" if i == 7 else "FINISHED",
                        stderr="ValueError: loss is NaN" if i == 7 else None))
    out.append(task("evaluate", "evaluate", 20.0, used={"weights": weights(EPOCHS - 1)},
                    generated={"score": 0.91}))
    return out


@pytest.fixture(scope="module")
def store() -> Iterator[EmbeddedStore]:
    opened = EmbeddedStore(tempfile.mkdtemp(prefix="views-"))
    opened.write(map_batch(messages()))
    yield opened
    opened.close()


def ids() -> dict[str, str]:
    return {"raw": value_id(RAW) or "", "dataset": value_id(DATASET) or "",
            "person": "person:alice"}
