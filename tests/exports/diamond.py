"""The diamond workflow, as captured messages (what ``@flowcept_task`` sends):
``split`` reads a file and makes ``x``; ``left`` and ``right`` read ``x``; ``join`` reads
their results and makes ``out``."""

from __future__ import annotations

from typing import Any

from prov_model import map_batch
from prov_model.config import EntitySettings

T0 = 1_790_000_000.0
WORKFLOW = "wf-diamond"
X = "x: the split of the input, long enough to be shared"
Y = "y: the left branch of the diamond"
Z = "z: the right branch of the diamond"
OUT = "out: the joined result of the diamond"
INPUT = "/data/diamond/input.csv"

# task id -> (used, generated, start offset)
TASKS: dict[str, tuple[dict[str, Any], dict[str, Any], float]] = {
    "split": ({"path": INPUT, "parts": 2}, {"x": X}, 0.0),
    "left": ({"x": X}, {"y": Y}, 1.0),
    "right": ({"x": X}, {"z": Z}, 1.5),
    "join": ({"y": Y, "z": Z}, {"out": OUT}, 3.0),
}


def messages() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [{
        "type": "workflow", "workflow_id": WORKFLOW, "name": "diamond", "user": "alice",
        "started_at": T0, "ended_at": T0 + 5, "status": "FINISHED",
    }]
    for task_id, (used, generated, start) in TASKS.items():
        out.append({
            "type": "task", "task_id": task_id, "activity_id": task_id,
            "workflow_id": WORKFLOW, "used": used, "generated": generated,
            "started_at": T0 + start, "ended_at": T0 + start + 0.5, "status": "FINISHED",
            "hostname": "node-1", "user": "alice", "tags": ["diamond", task_id],
            "code": {"module": "tests.diamond", "qualname": task_id, "source_hash": "ab12"},
        })
    return out


def write_diamond(store: Any) -> None:
    store.write(map_batch(messages(), EntitySettings()))
