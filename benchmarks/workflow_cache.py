"""Cached steps: the time per step of a cold run and of a fully cached re-run, beside
Formed 0.0.13 in the same run.

    .venv/bin/python benchmarks/workflow_cache.py [--steps N] [--repeats R] [--json PATH]

The workflow: a chain of N tiny steps (``s<i> = s<i-1> + 1``), so the figure is what the
machinery costs, not the steps. A round times, on a new FilesystemWorkflowCache, a cold
run (every step runs and its result is written) then a warm run of the same graph (every
step is a hit), for:

* provgraph ``recorded``: every step run and cache hit recorded as provenance (file hub,
  no keeper): the executor's own cost;
* provgraph ``kept``: the same with an in-process keeper writing the embedded store, as
  ``provgraph workflow run`` does by default;
* the reference, Formed 0.0.13 (``formed_reference.py`` in ``.bench-venv-formed``, made by
  ``make bench-setup-workflow``), one round after each of ours so both see the same load.

Graph building (parsing the config, checking types) is outside the timer. Figures: ms
per step, the median over the rounds with the min-max. No target is set for this path in
the design; the figure is reported beside the reference.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from figures import add_smoke, apply_smoke, write_figures

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
DEFAULT_VENV = ROOT / ".bench-venv-formed"
PHASES = ("cold", "warm")


def chain(steps: int) -> dict[str, Any]:
    config: dict[str, Any] = {"s0": {"type": "bench_increment", "x": 0}}
    for i in range(1, steps):
        config[f"s{i}"] = {"type": "bench_increment", "x": {"type": "ref", "ref": f"s{i - 1}"}}
    return {"steps": config}


class Ours:
    """provgraph's executor on a temporary data dir (file hub, embedded store)."""

    def __init__(self) -> None:
        self.workdir = Path(tempfile.mkdtemp(prefix="provgraph-wf-bench-"))
        sys.path.insert(0, str(ROOT))  # run from a checkout without an install too
        from capture import recorder
        from provgraph import workflow
        from provgraph.core.config import Settings

        @workflow.step
        def bench_increment(x: int) -> int:
            return x + 1

        self.workflow = workflow
        settings = Settings()  # the defaults (file hub, embedded store); no file is read
        settings.data_dir = str(self.workdir)
        recorder.configure(settings)
        self.recorder = recorder

    def round(self, steps: int, kept: bool) -> dict[str, float]:
        workflow = self.workflow
        folder = Path(tempfile.mkdtemp(dir=self.workdir))
        cache = workflow.FilesystemWorkflowCache(folder / "cache")
        times: dict[str, float] = {}
        for phase in PHASES:
            graph = workflow.WorkflowGraph.from_config(chain(steps))
            started = time.perf_counter()
            ctx = workflow.DefaultWorkflowExecutor()(graph, cache=cache,
                                                     start_persistence=kept)
            if not kept:
                self.recorder.flush()  # the provenance written, as a keeper would need it
            times[phase] = time.perf_counter() - started
            expected = "ran" if phase == "cold" else "cached"
            if {o.status for o in ctx.outcomes.values()} != {expected}:
                raise RuntimeError(f"the {phase} run was not all {expected}")
        shutil.rmtree(folder, ignore_errors=True)
        return times

    def close(self) -> None:
        self.recorder.configure(None)
        shutil.rmtree(self.workdir, ignore_errors=True)


def reference(venv: Path | None, steps: int) -> dict[str, float] | None:
    python = venv / "bin" / "python" if venv is not None else None
    if python is None or not python.exists():
        return None
    done = subprocess.run([str(python), str(BENCH_DIR / "formed_reference.py"),
                           "--steps", str(steps), "--repeats", "1"],
                          capture_output=True, text=True, check=False, timeout=600)
    if done.returncode != 0:
        print(f"warning: the Formed reference failed:\n{done.stderr[-2000:]}")
        return None
    rounds: list[dict[str, float]] = json.loads(done.stdout)
    return rounds[0]


def summary(rounds: list[dict[str, float]], steps: int) -> dict[str, dict[str, float]]:
    out = {}
    for phase in PHASES:
        per_step = [r[phase] / steps * 1e3 for r in rounds]
        out[phase] = {"median_ms_per_step": statistics.median(per_step),
                      "min": min(per_step), "max": max(per_step)}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--venv", type=Path, default=DEFAULT_VENV)
    parser.add_argument("--json", type=Path, help="write the figures here")
    add_smoke(parser)
    args = apply_smoke(parser.parse_args(), steps=10, repeats=1, venv=None)
    ours = Ours()
    runs: dict[str, list[dict[str, float]]] = {"recorded": [], "kept": [], "formed": []}
    try:
        ours.round(20, kept=False)  # warm-up: imports, first files
        for _ in range(args.repeats):
            runs["recorded"].append(ours.round(args.steps, kept=False))
            runs["kept"].append(ours.round(args.steps, kept=True))
            found = reference(args.venv, args.steps)
            if found is not None:
                runs["formed"].append(found)
    finally:
        ours.close()
    figures = {name: summary(rounds, args.steps) for name, rounds in runs.items() if rounds}
    print(f"cached steps: a chain of {args.steps} steps, {args.repeats} rounds, ms per step "
          "(median, min-max)")
    labels = {"recorded": "provgraph, provenance recorded (no keeper)",
              "kept": "provgraph, in-process keeper (workflow run)",
              "formed": "Formed 0.0.13 (reference)"}
    for name, figure in figures.items():
        cells = "   ".join(f"{phase} {f['median_ms_per_step']:6.3f} ({f['min']:.3f}-"
                           f"{f['max']:.3f})" for phase, f in figure.items())
        print(f"  {labels[name]:<46} {cells}")
    if "formed" in figures:
        for phase in PHASES:
            ratio = (figures["recorded"][phase]["median_ms_per_step"]
                     / figures["formed"][phase]["median_ms_per_step"])
            print(f"  {phase}: provgraph (recorded) / Formed = {ratio:.2f}")
    else:
        print("  (no reference: " + ("--smoke" if args.venv is None else
                                     f"{args.venv}/bin/python missing; run make "
                                     "bench-setup-workflow") + ")")
    if args.json:
        write_figures(args.json, "workflow_cache", {"rounds": runs},
                      {"steps": args.steps, "figures": figures})


if __name__ == "__main__":
    os.environ.pop("PROVGRAPH_SETTINGS", None)
    main()
