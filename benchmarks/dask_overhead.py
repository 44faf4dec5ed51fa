"""Dask adapter overhead: 10k tiny tasks with and without the provgraph worker plugin.

One ``LocalCluster`` (2 worker processes, 1 thread each) serves every round. A round
runs N tasks of ``def tiny(x): return x + 1`` (``client.map`` then ``client.gather``)
twice, in alternating order: once plain (the reference) and once inside
``Flowcept("dask", dask_client=client, start_persistence=False)`` with the file hub in a
temporary data dir. The plugin's time includes ``Flowcept.stop()``, which returns once
every worker has written its messages to the buffer file (the plugin's registration in
``start()`` is outside the timer and printed apart). Figures: medians over the rounds
after a warm-up, with the min-max; the overhead is the median of the per-round ratios.
Outside the timer, the buffer file is read back: N FINISHED task messages must be there.

    .venv/bin/python benchmarks/dask_overhead.py                  # 10 000 tasks x 5 rounds
    .venv/bin/python benchmarks/dask_overhead.py --tasks 2000 --rounds 3 --json out.json
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from dask.distributed import Client, LocalCluster
from figures import add_smoke, apply_smoke, write_figures

from capture import Flowcept, recorder
from provgraph.core.config import load_settings

TARGET = 0.10  # at most 10% added


def tiny(x: int) -> int:
    return x + 1


def plain_round(client: Client, start: int, n: int) -> float:
    began = time.perf_counter()
    futures = client.map(tiny, range(start, start + n))
    client.gather(futures)
    elapsed = time.perf_counter() - began
    del futures
    return elapsed


def plugin_round(client: Client, start: int, n: int) -> tuple[float, float, float]:
    """Seconds for the tasks and the drain, for the drain (``stop()``) alone, and for the
    plugin's registration (``start()``)."""
    flowcept = Flowcept("dask", dask_client=client, start_persistence=False,
                        workflow_name="dask-overhead")
    began = time.perf_counter()
    flowcept.start()
    registered = time.perf_counter()
    futures = client.map(tiny, range(start, start + n))
    client.gather(futures)
    gathered = time.perf_counter()
    flowcept.stop()
    stopped = time.perf_counter()
    del futures
    return stopped - registered, stopped - gathered, registered - began


def count_finished(path: Path, n: int) -> int:
    messages = Flowcept.read_buffer_file(path)
    finished = {m["task_id"] for m in messages
                if m.get("type") == "task" and m.get("status") == "FINISHED"}
    return len(finished)


def settle(client: Client) -> None:
    """Wait until the scheduler has forgotten the previous round's keys."""
    deadline = time.monotonic() + 60
    while client.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.tasks)) and \
            time.monotonic() < deadline:
        time.sleep(0.05)


def fmt(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=10_000, help="tasks per run (10000)")
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds (5)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    add_smoke(parser)
    args = apply_smoke(parser.parse_args(), tasks=200, rounds=1)
    logging.getLogger("distributed").setLevel(logging.ERROR)
    data_dir = Path(tempfile.mkdtemp(prefix="provgraph-dask-bench-"))
    settings = load_settings(environ={"PROVGRAPH_DATA_DIR": str(data_dir),
                                      "PROVGRAPH_HUB": "file"})
    settings.buffer.delete_previous_file = True
    recorder.configure(settings)
    buffer_file = settings.buffer_file
    print(f"dask overhead: {args.tasks} tasks x {args.rounds} rounds, LocalCluster of 2 "
          f"worker processes x 1 thread; file hub in {data_dir}", file=sys.stderr)
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                           dashboard_address=None)
    client = Client(cluster)
    plain: list[float] = []
    plugin: list[float] = []
    register: list[float] = []
    drain: list[float] = []
    ratios: list[float] = []
    complete = True
    try:
        n = args.tasks
        plain_round(client, 0, n)  # warm-up: workers import, functions cached
        plugin_round(client, n, n)
        settle(client)
        for r in range(args.rounds):
            offset = (r + 2) * 2 * n  # fresh keys every run
            order = ("plain", "plugin") if r % 2 == 0 else ("plugin", "plain")
            times: dict[str, float] = {}
            for which in order:
                if which == "plain":
                    times["plain"] = plain_round(client, offset, n)
                else:
                    times["plugin"], drained, reg = plugin_round(client, offset + n, n)
                    register.append(reg)
                    drain.append(drained)
                    found = count_finished(buffer_file, n)
                    if found != n:
                        complete = False
                        print(f"round {r + 1}: {found} of {n} FINISHED messages in the "
                              "buffer file", file=sys.stderr)
                settle(client)
            plain.append(times["plain"])
            plugin.append(times["plugin"])
            ratios.append(times["plugin"] / times["plain"] - 1)
            print(f"round {r + 1}/{args.rounds}: plain {times['plain']:.2f}s, plugin "
                  f"{times['plugin']:.2f}s ({ratios[-1]:+.1%})", file=sys.stderr)
    finally:
        client.close()
        cluster.close()
        recorder.configure(None)
    overhead = statistics.median(ratios)
    per_task_us = (statistics.median(plugin) - statistics.median(plain)) / args.tasks * 1e6
    print(f"\n{'':28} {'seconds for ' + str(args.tasks) + ' tasks':>28}")
    print(f"{'without the plugin (ref.)':28} {fmt(plain):>28}")
    print(f"{'with the plugin, drain incl.':28} {fmt(plugin):>28}")
    print(f"{'  of which stop() (drain)':28} {fmt(drain):>28}")
    print(f"{'plugin registration':28} {fmt(register):>28}")
    print(f"\noverhead: {overhead:+.1%} (median of per-round ratios; "
          f"{min(ratios):+.1%} to {max(ratios):+.1%}), {per_task_us:.0f} µs per task; "
          f"target <= {TARGET:.0%}: {'met' if overhead <= TARGET else 'missed'}")
    print(f"messages: {'every task FINISHED in the buffer file' if complete else 'MISSING'}")
    if args.json:
        figures: dict[str, Any] = {
            "overhead": overhead, "per_task_us": per_task_us, "complete": complete,
            "plain_s": plain, "plugin_s": plugin, "drain_s": drain, "register_s": register,
        }
        write_figures(args.json, "dask_overhead",
                      {"tasks": args.tasks, "rounds": args.rounds}, figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
