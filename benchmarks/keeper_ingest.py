"""Keeper ingest throughput into Neo4j, in tasks per second (target in benchmarks/README.md).

    .venv/bin/python benchmarks/keeper_ingest.py [--tasks N] [--paths merge,plan] [--json P]

What is measured: the keeper's work per batch without the hub: capture-style task messages
(what ``@flowcept_task`` sends: activity, code, workflow, hostname, times, status) with two
inputs (one long string shared by every task, one trivial int) and one output (a long
string unique to the task), mapped with ``prov_model.map_batch`` and written with
``Neo4jStore.write`` (one transaction per batch of ``--per-write`` tasks).

Reported, for each write path in the same run (``plan``: the store's write: probe, CREATE
what is new, MERGE the rest; ``merge``: the same delta through the MERGE statements only,
the store's fallback after a concurrent create; both with the value flow computed by the
keeper), the graph cleared before each run:
- mapping µs per task; write tasks/s; map+write tasks/s (one thread, as the keeper does it);
- the server's CPU: Neo4j process CPU seconds per 1000 tasks, and its share of the run's
  wall time (from /proc, via psutil, when the server is this machine's ``provgraph services``);
- the time of each statement for one batch of 2000 tasks (``--breakdown``);
- two writers in parallel on disjoint tasks (``--parallel``): total tasks/s, the driver's
  transient-error retries and the MERGE fallbacks after a concurrent create;
- the reference in the same run: one transaction per task (``--single`` tasks), and a
  plain CREATE of the same shape in one statement per batch (``--plain``), the ceiling of
  this server for this graph.

Target: >= 20k tasks/s per keeper. A missed target is reported, never an error exit.
"""

from __future__ import annotations

import argparse
import copy
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import psutil  # noqa: E402
from figures import add_smoke, apply_smoke, write_figures  # noqa: E402

from keeper.stores.neo4j import Neo4jStore, plan, value_flow  # noqa: E402
from keeper.stores.neo4j.rows import chunked  # noqa: E402
from prov_model import entity_node, map_batch  # noqa: E402
from prov_model.config import EntitySettings  # noqa: E402
from prov_model.delta import GraphDelta  # noqa: E402
from provgraph.core.config import Settings, get_settings  # noqa: E402

TARGET_TASKS_PER_S = 20_000
SHARED_INPUT = "s3://bench-bucket/datasets/shared-input-dataset-v1.parquet"
CODE = {"module": "bench.pipeline", "qualname": "process", "source_hash": "0" * 32}
PLAIN_CREATE = "bench/plain_create_tasks"


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


class ServerCpu:
    """CPU seconds of the local Neo4j server process (None when it is not ours)."""

    def __init__(self, settings: Settings) -> None:
        self.process: psutil.Process | None = None
        try:
            from provgraph.services import neo4j_server

            pid = int(neo4j_server.pid_file(settings).read_text().split()[0])
            self.process = psutil.Process(pid)
        except (OSError, ValueError, psutil.Error):
            self.process = None

    def seconds(self) -> float | None:
        if self.process is None:
            return None
        times = self.process.cpu_times()
        return float(times.user + times.system)


def writer(store: Neo4jStore, path: str) -> Callable[[GraphDelta], None]:
    if path == "merge":
        return lambda delta: store._write(delta, probe=False)
    return store.write


def run_batches(store: Neo4jStore, tasks: list[dict[str, Any]], per_write: int,
                cpu: ServerCpu | None = None, path: str = "plan") -> dict[str, Any]:
    store.clear()
    write = writer(store, path)
    map_s = write_s = 0.0
    cpu0 = cpu.seconds() if cpu else None
    for start in range(0, len(tasks), per_write):
        t0 = time.perf_counter()
        delta = map_batch(tasks[start:start + per_write])
        t1 = time.perf_counter()
        write(delta)
        t2 = time.perf_counter()
        map_s += t1 - t0
        write_s += t2 - t1
    cpu1 = cpu.seconds() if cpu else None
    stored = store.counts()["nodes"].get("Task", 0)
    if stored != len(tasks):
        print(f"  warning: expected {len(tasks)} tasks stored, found {stored}: another client"
              " changed the graph during this run; its figures are not reliable")
    n = len(tasks)
    server = None if cpu0 is None or cpu1 is None else cpu1 - cpu0
    return {
        "tasks": n,
        "tasks_per_write": per_write,
        "map_us_per_task": map_s / n * 1e6,
        "write_tasks_per_s": n / write_s,
        "end_to_end_tasks_per_s": n / (map_s + write_s),
        "server_cpu_s_per_1000_tasks": None if server is None else server / n * 1000,
        "server_cpu_share_of_write": None if server is None else server / write_s,
    }


def run_single(store: Neo4jStore, tasks: list[dict[str, Any]]) -> dict[str, Any]:
    store.clear()
    t0 = time.perf_counter()
    for message in tasks:
        store.write(map_batch([message]))
    elapsed = time.perf_counter() - t0
    return {"tasks": len(tasks), "tasks_per_s": len(tasks) / elapsed}


def run_plain(store: Neo4jStore, tasks: list[dict[str, Any]], per_write: int) -> dict[str, Any]:
    """The same shape with one CREATE statement per batch: what this server can do."""
    import cypher

    store.clear()
    store.write(map_batch(tasks[:1]))  # the workflow, the plan, the shared input
    rest = tasks[1:]
    shared = entity_node(SHARED_INPUT, "", EntitySettings()).id
    t0 = time.perf_counter()
    for start in range(0, len(rest), per_write):
        rows = [{
            "id": m["task_id"], "workflow": m["workflow_id"], "shared": shared,
            "local": f"{m['task_id']}/used/epoch", "epoch": m["used"]["epoch"],
            "out": "e:" + m["task_id"], "result": m["generated"]["arg_0"],
            "props": {k: m[k] for k in ("activity_id", "hostname", "started_at", "ended_at",
                                        "status", "workflow_id")},
        } for m in rest[start:start + per_write]]
        with store._session(write=True) as session:
            session.execute_write(
                lambda tx, r=rows: tx.run(cypher.load(PLAIN_CREATE), rows=r).consume())
    elapsed = time.perf_counter() - t0
    return {"tasks": len(rest), "tasks_per_s": len(rest) / elapsed}


def run_parallel(settings: Settings, tasks: list[dict[str, Any]], per_write: int,
                 writers: int = 2) -> dict[str, Any]:
    stores = [Neo4jStore.from_settings(settings) for _ in range(writers)]
    stores[0].clear()
    shares = [tasks[i::writers] for i in range(writers)]

    def work(store: Neo4jStore, mine: list[dict[str, Any]]) -> None:
        for start in range(0, len(mine), per_write):
            store.write(map_batch(mine[start:start + per_write]))

    threads = [threading.Thread(target=work, args=pair) for pair in zip(stores, shares,
                                                                         strict=True)]
    t0 = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - t0
    result = {
        "writers": writers, "tasks": len(tasks), "tasks_per_s": len(tasks) / elapsed,
        "transient_retries": sum(s.write_stats.transient_retries for s in stores),
        "merge_fallbacks": sum(s.write_stats.merge_fallbacks for s in stores),
        "stored": stores[0].counts()["nodes"].get("Task", 0),
    }
    for store in stores:
        store.close()
    return result


def breakdown(store: Neo4jStore, tasks: list[dict[str, Any]], merge_only: bool
              ) -> list[tuple[str, int, float]]:
    """Time (ms, client side) of each statement for one batch, in one transaction, the
    graph holding one earlier batch (so the probe finds the shared input stored)."""
    import cypher

    store.clear()
    store.write(map_batch(make_tasks(len(tasks), "earlier")))
    delta = map_batch(tasks)
    out: list[tuple[str, int, float]] = []

    def timed(tx: Any, name: str, **params: Any) -> list[dict[str, Any]]:
        t0 = time.perf_counter()
        records = [r.data() for r in tx.run(cypher.load(name), **params)]
        out.append((name, len(params.get("rows", params.get("ids", []))),
                    (time.perf_counter() - t0) * 1e3))
        return records

    def work(tx: Any) -> None:
        stored: plan.Stored | None = None
        if not merge_only:
            task_ids, entity_ids = plan.probe_ids(delta)
            stored = plan.Stored(
                {r["id"] for r in timed(tx, plan.PROBE_TASKS, ids=task_ids)},
                {r["id"] for r in timed(tx, plan.PROBE_ENTITIES, ids=entity_ids)})
        for statement in plan.statements(delta, stored):
            for chunk in chunked(statement.rows, store.batch_size):
                timed(tx, statement.name, rows=chunk, **statement.params)
        t0 = time.perf_counter()
        derived = value_flow.derived_rows(delta, None if stored is None else stored.entities,
                                          lambda name, params: timed(tx, name, **params))
        out.append(("value flow (keeper, incl. lookups)", len(derived),
                    (time.perf_counter() - t0) * 1e3))

    with store._session(write=True) as session:
        session.execute_write(work)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Keeper ingest throughput into Neo4j (tasks/s), before and after.")
    parser.add_argument("--tasks", type=int, default=20_000, help="tasks per run (20000)")
    parser.add_argument("--per-write", type=int, default=2000,
                        help="tasks per write transaction (2000)")
    parser.add_argument("--paths", default="merge,plan",
                        help="write paths to compare, in this order (merge,plan)")
    parser.add_argument("--repeats", type=int, default=2, help="runs per path, interleaved (2)")
    parser.add_argument("--single", type=int, default=300,
                        help="tasks for the one-transaction-per-task reference (300)")
    parser.add_argument("--no-plain", action="store_true", help="skip the plain CREATE ceiling")
    parser.add_argument("--no-parallel", action="store_true", help="skip the two writers")
    parser.add_argument("--breakdown", action="store_true",
                        help="print the time of each statement for one batch, per path")
    parser.add_argument("--json", type=Path, default=None, help="also write results here")
    add_smoke(parser)
    args = apply_smoke(parser.parse_args(argv), tasks=400, per_write=200, repeats=1, single=20,
                       no_plain=True, no_parallel=True)

    settings = copy.deepcopy(get_settings())
    store = Neo4jStore.from_settings(settings)
    cpu = ServerCpu(settings)
    paths = [p.strip() for p in args.paths.split(",") if p.strip()]
    tasks = make_tasks(args.tasks, "bench")
    load = psutil.getloadavg()[0]
    print(f"keeper ingest into Neo4j at {settings.store.neo4j.uri}: {args.tasks} tasks per run, "
          f"{args.per_write} tasks per write, {psutil.cpu_count()} CPUs, load {load:.1f}")
    results: dict[str, list[dict[str, Any]]] = {path: [] for path in paths}
    figures: dict[str, Any] = {}
    try:
        for path in paths:  # warm-up: plans compiled, JIT
            run_batches(store, make_tasks(min(4000, args.tasks), "warmup"), args.per_write,
                        path=path)
        print(f"{'path':<8} {'map µs/task':>11} {'write tasks/s':>13} {'map+write/s':>11} "
              f"{'server cpu s/1k':>15} {'server share':>12}")
        for _ in range(args.repeats):
            for path in paths:
                result = run_batches(store, tasks, args.per_write, cpu, path)
                results[path].append(result)
                cpu_1k = result["server_cpu_s_per_1000_tasks"]
                share = result["server_cpu_share_of_write"]
                print(f"{path:<8} {result['map_us_per_task']:>11.1f} "
                      f"{result['write_tasks_per_s']:>13,.0f} "
                      f"{result['end_to_end_tasks_per_s']:>11,.0f} "
                      f"{'-' if cpu_1k is None else f'{cpu_1k:.3f}':>15} "
                      f"{'-' if share is None else f'{share:.0%}':>12}")
        best = {path: max(r["end_to_end_tasks_per_s"] for r in runs)
                for path, runs in results.items()}
        figures["best_end_to_end_tasks_per_s"] = best
        single = run_single(store, make_tasks(args.single, "single"))
        figures["one_tx_per_task"] = single
        print(f"reference, one transaction per task: {single['tasks_per_s']:,.0f} tasks/s")
        if not args.no_plain:
            plain = run_plain(store, tasks, args.per_write)
            figures["plain_create"] = plain
            print(f"ceiling, one plain CREATE statement per batch: {plain['tasks_per_s']:,.0f} "
                  "tasks/s (writing only, no mapping)")
        if not args.no_parallel:
            parallel = run_parallel(settings, tasks, args.per_write)
            figures["parallel"] = parallel
            print(f"two writers in parallel (plan path): {parallel['tasks_per_s']:,.0f} tasks/s "
                  f"in all, {parallel['transient_retries']} transient retries, "
                  f"{parallel['merge_fallbacks']} MERGE fallbacks, {parallel['stored']} stored")
        if "merge" in best and "plan" in best:
            print(f"plan vs merge, map+write: {best['plan'] / best['merge']:.1f}x")
        met = best.get("plan", max(best.values())) >= TARGET_TASKS_PER_S
        print(f"best map+write: {max(best.values()):,.0f} tasks/s; target >= "
              f"{TARGET_TASKS_PER_S:,}: {'met' if met else 'NOT met'}")
        if args.breakdown:
            figures["breakdown_ms"] = {}
            for path in paths:
                stages = breakdown(store, make_tasks(2000, "breakdown"), path == "merge")
                figures["breakdown_ms"][path] = stages
                print(f"{path}: one batch of 2000 tasks, per statement:")
                for name, rows, ms in stages:
                    print(f"  {name:<45} {rows:>6} rows {ms:>8.1f} ms")
    finally:
        store.clear()
        store.close()
    if args.json:
        write_figures(args.json, "keeper_ingest", {"runs": results}, figures,
                      {"load_average_1m": load})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
