"""Per-call overhead of provgraph's task decorators, beside Flowcept 1.0.3 in the same run.

    .venv/bin/python benchmarks/capture_overhead.py [--calls N] [--repeats R] [--json PATH]

What is measured (targets in benchmarks/README.md): the µs per call that ``@flowcept_task`` and
``@lightweight_flowcept_task`` ADD to ``def f(x): return x + 1``, inside
``with Flowcept(workflow_name=..., start_persistence=False)`` with the default file hub in
a temporary data dir, flush to the file included: each run times N calls and then
``capture.recorder.flush()``, which returns once every message is written. Each decorated
run comes right after a plain run of the same loop in the same process and the overhead
is the difference; the figure is the median over the rounds (after a warm-up), with the
spread (min-max) shown as a measure of noise. Default interpreter settings (GC on).

The reference: when ``.bench-venv/bin/python`` has ``flowcept`` (``make bench-setup``),
``flowcept_reference.py`` measures Flowcept 1.0.3 offline there with the same loop, one
round after each of ours, so both see the same machine noise. Targets: full <= 4 µs and
<= 1/3 of Flowcept's; lightweight <= 1 µs. A missed target is reported, never an error
exit: benchmarks are not tests.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

# The measurement loop is shared with the reference so that both sides run the same code.
from figures import add_smoke, apply_smoke, write_figures
from flowcept_reference import count_lines, interleaved_rounds, plain, run_plain

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
DEFAULT_BENCH_VENV = ROOT / ".bench-venv"
REFERENCE_VERSION = "1.0.3"

TARGET_FULL_US = 4.0
TARGET_FULL_RATIO = 1 / 3
TARGET_LIGHTWEIGHT_US = 1.0
KEYS = ("full_us", "lightweight_us")


# --- provgraph ---------------------------------------------------------------------------


class OursBench:
    """provgraph's capture configured on a temporary data dir, inside one Flowcept run."""

    def __init__(self) -> None:
        self.workdir = Path(tempfile.mkdtemp(prefix="provgraph-bench-"))
        os.environ["PROVGRAPH_DATA_DIR"] = str(self.workdir)
        sys.path.insert(0, str(ROOT))  # run from a checkout without an install too

        from capture import Flowcept, flowcept_task, lightweight_flowcept_task, recorder
        from provgraph.core.config import Settings

        # Defaults (file hub, telemetry off) on the temp dir; no settings file is read.
        settings = Settings(data_dir=str(self.workdir))
        self.recorder = recorder
        recorder.configure(settings)
        self.buffer_file = settings.buffer_file
        self.flowcept = Flowcept(workflow_name="capture_overhead", start_persistence=False)
        self.funcs: dict[str, Callable[[int], int]] = {
            "full_us": flowcept_task(plain),
            "lightweight_us": lightweight_flowcept_task(plain),
        }

    def run(self, func: Callable[[int], int], calls: int) -> float:
        """Seconds for ``calls`` calls and the flush that writes them to the file."""
        if self.buffer_file.exists():
            os.truncate(self.buffer_file, 0)  # O_APPEND writer: safe, keeps the disk small
        start = time.perf_counter()
        for i in range(calls):
            func(i)
        flushed = self.recorder.flush()
        elapsed = time.perf_counter() - start
        written = count_lines(self.buffer_file)
        if not flushed or written < calls:
            raise RuntimeError(f"provgraph wrote {written} messages for {calls} calls")
        return elapsed

    def __enter__(self) -> OursBench:
        self.flowcept.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.flowcept.stop()
        self.recorder.flush()
        shutil.rmtree(self.workdir, ignore_errors=True)


# --- the reference -----------------------------------------------------------------------


def reference_python(venv: Path) -> tuple[Path | None, str]:
    """The side env's interpreter when it has flowcept, else ``None`` and why not."""
    python = venv / "bin" / "python"
    if not python.exists():
        return None, f"{python} does not exist"
    probe = subprocess.run(
        [str(python), "-c", "import flowcept; print(flowcept.__version__)"],
        capture_output=True, text=True, check=False,
    )
    if probe.returncode != 0:
        return None, f"flowcept is not importable with {python}"
    version = probe.stdout.strip()
    if version != REFERENCE_VERSION:
        print(f"warning: {venv} has flowcept {version}, not {REFERENCE_VERSION}")
    return python, ""


def run_reference(python: Path, calls: int, repeats: int, warmup: int) -> dict[str, Any]:
    """One call of flowcept_reference.py in the side env; its JSON output."""
    command = [
        str(python), str(BENCH_DIR / "flowcept_reference.py"),
        "--calls", str(calls), "--repeats", str(repeats), "--warmup", str(warmup),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=1800)
    if done.returncode != 0:
        raise RuntimeError(f"flowcept_reference.py exited {done.returncode}: "
                           f"{done.stderr.strip()[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# --- measuring and reporting ---------------------------------------------------------------


def summarize(rounds: dict[str, list[float]]) -> dict[str, Any]:
    return {
        **{key: statistics.median(values) for key, values in rounds.items()},
        "rounds": rounds,
    }


def last_round(rounds: dict[str, list[float]]) -> str:
    return f"full {rounds['full_us'][-1]:.2f} µs, lightweight {rounds['lightweight_us'][-1]:.2f} µs"


def measure(
    calls: int, repeats: int, warmup: int, reference: Path | None
) -> tuple[dict[str, Any], dict[str, Any] | None, str]:
    ours: dict[str, list[float]] = {"plain_us": [], **{key: [] for key in KEYS}}
    theirs: dict[str, list[float]] = {"plain_us": [], **{key: [] for key in KEYS}}
    version = ""
    problem = ""
    with OursBench() as bench:
        if warmup:
            run_plain(warmup)
            for func in bench.funcs.values():
                bench.run(func, warmup)
        runs = {key: functools.partial(bench.run, func, calls) for key, func in bench.funcs.items()}
        for round_no in range(1, repeats + 1):
            for key, values in interleaved_rounds(runs, calls, 1).items():
                ours[key] += values
            if reference is not None:
                try:
                    result = run_reference(reference, calls, 1, warmup)
                except (RuntimeError, subprocess.TimeoutExpired, ValueError) as exc:
                    problem = f"the Flowcept reference failed: {exc}"
                    reference = None
                else:
                    version = result["flowcept_version"]
                    for key in theirs:
                        theirs[key] += result["rounds"][key]
            line = f"  round {round_no}/{repeats}: provgraph {last_round(ours)}"
            if reference is not None:
                line += f"; Flowcept {last_round(theirs)}"
            print(line, flush=True)
    flowcept = None
    if theirs["full_us"]:
        flowcept = {"flowcept_version": version, **summarize(theirs)}
    return summarize(ours), flowcept, problem


def spread(result: dict[str, Any], key: str) -> str:
    values = result["rounds"][key]
    return f"{result[key]:6.2f} ({min(values):.2f}-{max(values):.2f})"


def report(ours: dict[str, Any], flowcept: dict[str, Any] | None) -> dict[str, Any]:
    """Print the table; return the comparison (ratios, targets met)."""
    full, light = ours["full_us"], ours["lightweight_us"]
    ratio_full = full / flowcept["full_us"] if flowcept else None
    ratio_light = light / flowcept["lightweight_us"] if flowcept else None
    met_full = full <= TARGET_FULL_US and (ratio_full is None or ratio_full <= TARGET_FULL_RATIO)
    met_light = light <= TARGET_LIGHTWEIGHT_US
    name = f"Flowcept {flowcept['flowcept_version']}" if flowcept else "Flowcept"
    full_target = "<= 4 µs and <= 1/3 of Flowcept"
    if flowcept:
        full_target += f" ({flowcept['full_us'] * TARGET_FULL_RATIO:.2f})"
    rows = [
        ("@flowcept_task", "full_us", ratio_full, full_target, met_full),
        ("@lightweight_flowcept_task", "lightweight_us", ratio_light, "<= 1 µs", met_light),
    ]
    print()
    print("µs per call added over a plain call, median (min-max over the rounds)")
    print(f"{'decorator':<28} {'provgraph':>19} {name:>19} {'ratio':>6}  "
          f"{'target':<38} met")
    for label, key, ratio, target, met in rows:
        theirs = spread(flowcept, key) if flowcept else f"{'n/a':>19}"
        ratio_text = f"{ratio:6.2f}" if ratio is not None else f"{'n/a':>6}"
        print(f"{label:<28} {spread(ours, key):>19} {theirs:>19} {ratio_text}  "
              f"{target:<38} {'yes' if met else 'NO'}")
    plain_line = f"plain call, loop included: provgraph env {ours['plain_us']:.3f} µs"
    if flowcept:
        plain_line += f", Flowcept env {flowcept['plain_us']:.3f} µs"
    print(plain_line)
    return {
        "ratio_full": ratio_full,
        "ratio_lightweight": ratio_light,
        "targets": {
            "full_us_max": TARGET_FULL_US,
            "full_ratio_max": TARGET_FULL_RATIO,
            "lightweight_us_max": TARGET_LIGHTWEIGHT_US,
        },
        "met": {"full": met_full, "lightweight": met_light},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="µs per call added by provgraph's @flowcept_task and "
        "@lightweight_flowcept_task (flush to the file hub included), beside Flowcept "
        "1.0.3 offline measured in the same run when .bench-venv has it."
    )
    parser.add_argument("--calls", type=int, default=100_000, help="calls per run (100000)")
    parser.add_argument("--repeats", type=int, default=7, help="rounds; the median is kept (7)")
    parser.add_argument("--warmup", type=int, default=10_000, help="calls per warm-up run")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the figures here")
    parser.add_argument("--bench-venv", type=Path, default=DEFAULT_BENCH_VENV,
                        help="side env with flowcept 1.0.3 (default: .bench-venv)")
    parser.add_argument("--no-reference", action="store_true",
                        help="measure provgraph only")
    add_smoke(parser)
    args = apply_smoke(parser.parse_args(argv), calls=2000, repeats=1, warmup=200,
                       no_reference=True)
    if args.calls < 1 or args.repeats < 1 or args.warmup < 0:
        parser.error("--calls and --repeats must be >= 1, --warmup >= 0")

    reference, missing = (None, "--no-reference") if args.no_reference else (
        reference_python(args.bench_venv)
    )
    print(f"capture overhead: {args.calls} calls x {args.repeats} rounds, "
          f"{os.cpu_count()} CPUs, Python {platform.python_version()}"
          + ("" if reference else "; provgraph only"), flush=True)
    ours, flowcept, problem = measure(args.calls, args.repeats, args.warmup, reference)
    comparison = report(ours, flowcept)
    if problem:
        print(problem)
    elif reference is None and not args.no_reference:
        print(f"\nno Flowcept reference ({missing}). Create the side env with:\n"
              f"    make bench-setup      # or: bash benchmarks/setup_reference.sh")

    if args.json is not None:
        write_figures(
            args.json, "capture_overhead",
            {"calls": args.calls, "repeats": args.repeats, "warmup": args.warmup},
            {"provgraph": ours, "flowcept": flowcept, **comparison},
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
