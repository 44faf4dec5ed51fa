"""The reference for capture_overhead.py: the real Flowcept 1.0.3, offline, same measurement.

Runs in the side environment made by ``benchmarks/setup_reference.sh`` (``.bench-venv``):

    .bench-venv/bin/python benchmarks/flowcept_reference.py --calls 100000 --repeats 7

and prints one JSON object on stdout:
``{"flowcept_version", "full_us", "lightweight_us", "plain_us", "calls", "repeats", "rounds"}``
where ``full_us``/``lightweight_us`` are the µs per call *added* by ``@flowcept_task`` /
``@lightweight_flowcept_task`` over ``def f(x): return x + 1`` (medians over the rounds),
and ``plain_us`` is the µs per plain call (loop included).

Offline mode, as Flowcept 1.0.3's ``flowcept/configs.py`` reads it from the YAML named by
``FLOWCEPT_SETTINGS_PATH`` (keys as in the package's ``resources/sample_settings.yaml``):
``mq.enabled: false``, ``kv_db.enabled: false``, ``databases.{mongodb,lmdb}.enabled: false``,
``project.db_flush_mode: offline`` (the interceptor's buffer is then a plain ``list``: each
task is one ``list.append`` of a dict, nothing is encoded during the run) and
``project.dump_buffer.enabled: true`` (``Flowcept.stop()`` writes that list to a JSONL file
with orjson). Flush included therefore means: ``start()`` outside the timer, then N calls
and ``stop()`` inside it. ``telemetry_capture`` is left empty: with any key present, even
all false, 1.0.3 builds an (empty) telemetry object twice per task; provgraph's figure is
also measured without telemetry. Environment variables that 1.0.3 lets override the file
(``MQ_ENABLED``, ``DB_FLUSH_MODE``, ``DUMP_BUFFER``, ...) are removed before the import.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

# Environment variables that flowcept/configs.py 1.0.3 reads in place of the settings file.
_OVERRIDES = (
    "FLOWCEPT_USE_DEFAULT", "MQ_ENABLED", "MQ_TYPE", "MQ_HOST", "MQ_PORT", "MQ_URI",
    "DB_FLUSH_MODE", "DUMP_BUFFER", "MONGO_ENABLED", "LMDB_ENABLED", "LMDB_PATH",
    "TELEMETRY_ENABLED",
)


def offline_settings(buffer_file: Path) -> dict[str, Any]:
    """Flowcept 1.0.3 settings for a run with no Redis, no MongoDB, no LMDB."""
    return {
        "flowcept_version": "1.0.3",
        "project": {
            "db_flush_mode": "offline",
            "enrich_messages": False,  # True adds node/IP/login fields to every message
            "replace_non_json_serializable": True,
            "json_serializer": "default",
            "performance_logging": False,
            "dump_buffer": {
                "enabled": True,
                "path": str(buffer_file),
                "append_id_to_path": False,
                "append_workflow_id_to_path": False,
                "delete_previous_file": True,  # each Flowcept() removes the last run's file
            },
        },
        "log": {"log_file_level": "disable", "log_stream_level": "disable"},
        "telemetry_capture": {},
        "instrumentation": {"enabled": True},
        "mq": {"enabled": False},
        "kv_db": {"enabled": False},
        "databases": {"mongodb": {"enabled": False}, "lmdb": {"enabled": False}},
    }


def configure_offline(workdir: Path) -> Path:
    """Write the settings file and point Flowcept at it; must run before importing it."""
    buffer_file = workdir / "flowcept_buffer.jsonl"
    settings_path = workdir / "settings.yaml"
    # JSON is YAML: OmegaConf.load reads it as is.
    settings_path.write_text(json.dumps(offline_settings(buffer_file), indent=2))
    for name in _OVERRIDES:
        os.environ.pop(name, None)
    os.environ["FLOWCEPT_SETTINGS_PATH"] = str(settings_path)
    return buffer_file


def plain(x: int) -> int:
    return x + 1


def count_lines(path: Path) -> int:
    with open(path, "rb") as handle:
        return handle.read().count(b"\n")


def run_plain(calls: int) -> float:
    """Seconds for ``calls`` plain calls (the same loop as the decorated runs)."""
    f = plain
    start = time.perf_counter()
    for i in range(calls):
        f(i)
    return time.perf_counter() - start


def interleaved_rounds(
    runs: dict[str, Callable[[], float]], calls: int, repeats: int
) -> dict[str, list[float]]:
    """Per round, each decorated run right after a plain run of the same length.

    Returns µs per call: ``plain_us`` (the loop with the plain function) and, for each
    name in ``runs``, the overhead that run added over the plain run just before it, so
    that machine noise hits a figure and its baseline alike. Shared with
    capture_overhead.py, so provgraph and Flowcept are measured by the same loop.
    """
    rounds: dict[str, list[float]] = {"plain_us": [], **{name: [] for name in runs}}
    for _ in range(repeats):
        bases = []
        for name, run in runs.items():
            base = run_plain(calls)
            elapsed = run()
            bases.append(base)
            rounds[name].append((elapsed - base) / calls * 1e6)
        rounds["plain_us"].append(statistics.median(bases) / calls * 1e6)
    return rounds


def run_flowcept(
    flowcept_cls: Any, func: Callable[[int], int], calls: int, buffer_file: Path
) -> float:
    """Seconds for ``calls`` calls plus ``stop()``, which writes the buffer file."""
    controller = flowcept_cls(workflow_name="capture_overhead", start_persistence=False)
    controller.start()
    start = time.perf_counter()
    for i in range(calls):
        func(i)
    controller.stop()
    elapsed = time.perf_counter() - start
    written = count_lines(buffer_file)
    if written < calls:  # workflow start and end messages come on top of the tasks
        raise RuntimeError(f"Flowcept wrote {written} messages for {calls} calls")
    return elapsed


def measure(calls: int, repeats: int, warmup: int) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="flowcept-bench-"))
    buffer_file = configure_offline(workdir)
    os.chdir(workdir)  # anything Flowcept writes to a relative path stays in the temp dir

    import flowcept
    from flowcept import Flowcept, flowcept_task, lightweight_flowcept_task

    full = flowcept_task(plain)
    light = lightweight_flowcept_task(plain)
    runs: dict[str, Callable[[], float]] = {
        "full_us": lambda: run_flowcept(Flowcept, full, calls, buffer_file),
        "lightweight_us": lambda: run_flowcept(Flowcept, light, calls, buffer_file),
    }
    try:
        if warmup:
            run_plain(warmup)
            run_flowcept(Flowcept, full, warmup, buffer_file)
            run_flowcept(Flowcept, light, warmup, buffer_file)
        rounds = interleaved_rounds(runs, calls, repeats)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return {
        "flowcept_version": flowcept.__version__,
        **{key: statistics.median(values) for key, values in rounds.items()},
        "calls": calls,
        "repeats": repeats,
        "rounds": rounds,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Per-call overhead of Flowcept 1.0.3's task decorators (offline mode, "
        "flush to the JSONL dump included). Prints JSON on stdout."
    )
    parser.add_argument("--calls", type=int, default=100_000, help="calls per run")
    parser.add_argument("--repeats", type=int, default=7, help="runs per decorator (median)")
    parser.add_argument("--warmup", type=int, default=10_000, help="calls per warm-up run")
    args = parser.parse_args(argv)
    if args.calls < 1 or args.repeats < 1 or args.warmup < 0:
        parser.error("--calls and --repeats must be >= 1, --warmup >= 0")
    result = measure(args.calls, args.repeats, args.warmup)
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
