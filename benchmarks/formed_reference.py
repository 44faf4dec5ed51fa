"""Formed 0.0.13's executor on the benchmark's chain of steps (run in .bench-venv-formed).

    .bench-venv-formed/bin/python benchmarks/formed_reference.py --steps N --repeats R

Prints JSON: for each round, the seconds of a cold run (every step runs and is written to
a FilesystemWorkflowCache in a new temporary directory) and of a warm run (every step is
a hit) of the same graph as ``workflow_cache.py``. Standard library and Formed only; no
``from __future__ import annotations``: Formed 0.0.13 cannot match string annotations.
"""

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from formed import workflow
from formed.workflow import DefaultWorkflowExecutor, FilesystemWorkflowCache, WorkflowGraph


@workflow.step
def bench_increment(x: int) -> int:
    return x + 1


def chain(steps: int) -> dict[str, Any]:
    """``s0`` from 0, then ``s<i>`` = ``s<i-1>`` + 1: every step depends on the one before."""
    config: dict[str, Any] = {"s0": {"type": "bench_increment", "x": 0}}
    for i in range(1, steps):
        config[f"s{i}"] = {"type": "bench_increment", "x": {"type": "ref", "ref": f"s{i - 1}"}}
    return {"steps": config}


def one_round(steps: int) -> dict[str, float]:
    folder = Path(tempfile.mkdtemp(prefix="formed-bench-"))
    try:
        cache = FilesystemWorkflowCache(folder / "cache")
        times = {}
        for phase in ("cold", "warm"):
            graph = WorkflowGraph.from_json(chain(steps))
            started = time.perf_counter()
            DefaultWorkflowExecutor()(graph, cache=cache)
            times[phase] = time.perf_counter() - started
        return times
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    print(json.dumps([one_round(args.steps) for _ in range(args.repeats)]))


if __name__ == "__main__":
    main()
