"""A large workflow as a scientist's pipeline makes one: shards loaded, preprocessed, a
model trained over many epochs (a few fail), each checkpoint evaluated, the scores
aggregated into one report. Values flow from task to task (lineage by value)."""

from __future__ import annotations

from typing import Any

STAGES = ("load_shard", "preprocess", "train_epoch", "evaluate")


def pipeline(workflow_id: str, tasks: int, name: str = "large pipeline") -> list[dict[str, Any]]:
    """Capture messages of a workflow of ``tasks`` tasks (4 stages of ``(tasks - 2) // 4``
    tasks each, then ``aggregate`` and ``write_report``)."""
    per = (tasks - 2) // 4
    out: list[dict[str, Any]] = [{"type": "workflow", "workflow_id": workflow_id,
                                  "name": name, "started_at": 1000.0, "user": "alice"}]

    def task(task_id: str, activity: str, start: float, **fields: Any) -> None:
        out.append({"type": "task", "task_id": task_id, "workflow_id": workflow_id,
                    "activity_id": activity, "status": "FINISHED", "started_at": start,
                    "ended_at": start + 0.25 + (hash(task_id) % 7) / 10, "user": "alice",
                    "hostname": "node-1", **fields})

    for i in range(per):
        shard = f"{workflow_id}/shards/part-{i:05d}.parquet"
        clean = f"{workflow_id} cleaned shard {i} (a long value)"
        ckpt = f"{workflow_id} checkpoint after epoch {i} (a long value)"
        task(f"{workflow_id}-load-{i}", "load_shard", 1000.0 + i, used={"path": shard},
             generated={"table": f"{workflow_id} raw table of shard {i} (long)"})
        task(f"{workflow_id}-prep-{i}", "preprocess", 1000.5 + i,
             used={"table": f"{workflow_id} raw table of shard {i} (long)"},
             generated={"clean": clean})
        failed = i % 97 == 13
        task(f"{workflow_id}-epoch-{i}", "train_epoch", 1001.0 + i, used={"clean": clean},
             generated={"checkpoint": ckpt, "loss": 10988.936249999999 / (i + 1)},
             status="ERROR" if failed else "FINISHED",
             stderr="FloatingPointError: loss is NaN" if failed else None)
        task(f"{workflow_id}-eval-{i}", "evaluate", 1001.5 + i, used={"checkpoint": ckpt},
             generated={"scores": [round(0.91 - 0.79 * ((i * 7 + k) % 12) / 11, 4)
                                   for k in range(12)]},
             dependencies=[f"{workflow_id}-epoch-{i}"])
    task(f"{workflow_id}-aggregate", "aggregate", 1002.0 + per,
         dependencies=[f"{workflow_id}-eval-{i}" for i in range(per)],
         generated={"summary": f"{workflow_id} mean score over {per} checkpoints"})
    task(f"{workflow_id}-report", "write_report", 1003.0 + per,
         used={"summary": f"{workflow_id} mean score over {per} checkpoints"},
         generated={"report": f"/results/{workflow_id}/report.md"})
    return out
