"""Keeper ingest throughput into Neo4j, in tasks per second (target in benchmarks/README.md).

    .venv/bin/python benchmarks/keeper_ingest.py [--tasks N] [--json PATH]

What is measured: the keeper's work per batch without the hub: capture-style task messages
(what ``@flowcept_task`` sends: activity, code, workflow, hostname, times, status) with two
inputs (one long string shared by every task, one trivial int) and one output (a long
string unique to the task), mapped with ``prov_model.map_batch`` and written with
``Neo4jStore.write`` (one transaction per batch, statements chunked by ``batch_size`` rows).

Reported, per run (the graph is cleared before each run, so each one starts empty):
- mapping: µs per task (``map_batch`` alone), reported separately;
- write: tasks/s of ``Neo4jStore.write`` alone, and end to end (map + write, one thread, as
  the keeper does it);
- one run per tasks-per-transaction (500/1000/2000/5000, chunk rows from the settings), then
  one per UNWIND chunk size (500/1000/2000/5000 rows, 2000 tasks per transaction);
- the reference in the same run: one transaction per task, on fewer tasks (``--single``),
  extrapolated to ``--tasks``.
``--breakdown`` also prints the server time of each ingest statement for one batch.

Target: >= 20k tasks/s per keeper. A missed target is reported, never an error exit.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from keeper.stores.neo4j import Neo4jStore  # noqa: E402
from keeper.stores.neo4j.rows import chunked, statement_rows  # noqa: E402
from prov_model import map_batch  # noqa: E402
from provgraph.config import get_settings  # noqa: E402

TARGET_TASKS_PER_S = 20_000
SHARED_INPUT = "s3://bench-bucket/datasets/shared-input-dataset-v1.parquet"
CODE = {"module": "bench.pipeline", "qualname": "process", "source_hash": "0" * 32}


def make_tasks(count: int, run: str) -> list[dict[str, Any]]:
    """Capture-style task messages: 2 inputs (shared long string, trivial int), 1 output."""
    now = time.time()
    return [
        {
            "type": "task",
            "activity_id": "process",
            "code": CODE,
            "task_id": f"{run}-{i:08d}",
            "workflow_id": f"{run}-workflow",
            "hostname": "bench-host",
            "used": {"data": SHARED_INPUT, "epoch": i % 10},
            "started_at": now + i * 1e-3,
            "ended_at": now + i * 1e-3 + 5e-4,
            "status": "FINISHED",
            "generated": {"arg_0": f"result of task {i:08d} of {run}: ok"},
        }
        for i in range(count)
    ]


def run_batches(store: Neo4jStore, tasks: list[dict[str, Any]], per_write: int,
                chunk_rows: int) -> dict[str, Any]:
    store.clear()
    store.batch_size = chunk_rows
    map_s = write_s = 0.0
    for start in range(0, len(tasks), per_write):
        t0 = time.perf_counter()
        delta = map_batch(tasks[start:start + per_write])
        t1 = time.perf_counter()
        store.write(delta)
        t2 = time.perf_counter()
        map_s += t1 - t0
        write_s += t2 - t1
    stored = store.counts()["nodes"].get("Task", 0)
    if stored != len(tasks):  # the server is shared: another client cleared or wrote meanwhile
        print(f"  warning: expected {len(tasks)} tasks stored, found {stored}: another client"
              " changed the graph during this run; its figures are not reliable")
    n = len(tasks)
    return {
        "tasks_per_write": per_write,
        "chunk_rows": chunk_rows,
        "tasks": n,
        "map_us_per_task": map_s / n * 1e6,
        "write_tasks_per_s": n / write_s,
        "end_to_end_tasks_per_s": n / (map_s + write_s),
        "disturbed": stored != n,
    }


def run_single(store: Neo4jStore, tasks: list[dict[str, Any]]) -> dict[str, Any]:
    store.clear()
    t0 = time.perf_counter()
    for message in tasks:
        store.write(map_batch([message]))
    elapsed = time.perf_counter() - t0
    return {"tasks": len(tasks), "tasks_per_s": len(tasks) / elapsed,
            "ms_per_task": elapsed / len(tasks) * 1e3}


def breakdown(store: Neo4jStore, tasks: list[dict[str, Any]]) -> list[tuple[str, int, float]]:
    """Server time (ms) of each ingest statement for one batch, in one transaction."""
    import cypher

    store.clear()
    delta = map_batch(tasks)
    out: list[tuple[str, int, float]] = []

    def work(tx: Any) -> None:
        for name, rows in statement_rows(delta).items():
            for chunk in chunked(rows, store.batch_size):
                t0 = time.perf_counter()
                tx.run(cypher.load(name), rows=chunk).consume()
                out.append((name, len(chunk), (time.perf_counter() - t0) * 1e3))

    with store._session(write=True) as session:
        session.execute_write(work)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Keeper ingest throughput into Neo4j (tasks/s), map and write timed apart.")
    parser.add_argument("--tasks", type=int, default=50_000, help="tasks per run (50000)")
    parser.add_argument("--single", type=int, default=500,
                        help="tasks for the one-transaction-per-task reference (500)")
    parser.add_argument("--per-write", default="500,1000,2000,5000",
                        help="tasks per write transaction to try (500,1000,2000,5000)")
    parser.add_argument("--chunks", default="500,1000,2000,5000",
                        help="UNWIND rows per statement chunk to try (500,1000,2000,5000)")
    parser.add_argument("--uri", default=None, help="bolt URI (default: the settings')")
    parser.add_argument("--breakdown", action="store_true",
                        help="print the time of each ingest statement for one batch")
    parser.add_argument("--json", type=Path, default=None, help="also write results here")
    args = parser.parse_args(argv)

    settings = copy.deepcopy(get_settings())
    if args.uri:
        settings.store.neo4j.uri = args.uri
    store = Neo4jStore.from_settings(settings)
    default_chunk = settings.store.neo4j.batch_size
    tasks = make_tasks(args.tasks, "bench")
    print(f"keeper ingest into Neo4j at {settings.store.neo4j.uri}: {args.tasks} tasks per run,"
          f" {os.cpu_count()} CPUs, Python {platform.python_version()}")
    runs: list[dict[str, Any]] = []
    try:
        run_batches(store, make_tasks(5000, "warmup"), 1000, default_chunk)  # plans, JIT
        plan = [(int(b), default_chunk) for b in args.per_write.split(",")]
        plan += [(2000, int(c)) for c in args.chunks.split(",") if (2000, int(c)) not in plan]
        print(f"{'tasks/write':>11} {'rows/chunk':>10} {'map µs/task':>11} "
              f"{'write tasks/s':>13} {'map+write tasks/s':>17}")
        for per_write, chunk in plan:
            result = run_batches(store, tasks, per_write, chunk)
            runs.append(result)
            print(f"{per_write:>11} {chunk:>10} {result['map_us_per_task']:>11.1f} "
                  f"{result['write_tasks_per_s']:>13,.0f} "
                  f"{result['end_to_end_tasks_per_s']:>17,.0f}")
        single = run_single(store, make_tasks(args.single, "single"))
        print(f"one transaction per task ({single['tasks']} tasks): "
              f"{single['tasks_per_s']:,.0f} tasks/s ({single['ms_per_task']:.2f} ms/task);"
              f" {args.tasks} tasks would take {args.tasks * single['ms_per_task'] / 1e3:.1f} s")
        best = max(runs, key=lambda r: r["end_to_end_tasks_per_s"])
        met = best["end_to_end_tasks_per_s"] >= TARGET_TASKS_PER_S
        print(f"best: {best['end_to_end_tasks_per_s']:,.0f} tasks/s map+write "
              f"({best['tasks_per_write']} tasks/write, {best['chunk_rows']} rows/chunk), "
              f"{best['end_to_end_tasks_per_s'] / single['tasks_per_s']:.0f}x one tx per task;"
              f" target >= {TARGET_TASKS_PER_S:,}: {'met' if met else 'NOT met'}")
        stages: list[tuple[str, int, float]] = []
        if args.breakdown:
            store.batch_size = default_chunk
            stages = breakdown(store, make_tasks(2000, "breakdown"))
            print("one batch of 2000 tasks, per statement chunk:")
            for name, rows, ms in stages:
                print(f"  {name:<45} {rows:>6} rows {ms:>8.1f} ms")
    finally:
        store.clear()
        store.close()
    if args.json:
        args.json.write_text(json.dumps({
            "tasks": args.tasks, "cpus": os.cpu_count(), "runs": runs,
            "one_tx_per_task": single, "target_tasks_per_s": TARGET_TASKS_PER_S,
            "breakdown_ms": stages,
        }, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
