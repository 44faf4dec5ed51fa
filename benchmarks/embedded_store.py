"""The embedded store on SQLite beside the store it replaced (networkx + graph.log), in the
same run, each phase in a fresh process:

    .venv/bin/python benchmarks/embedded_store.py [--tasks N] [--fanout N] [--one-workflow N]
                                                  [--export-small N] [--no-old] [--json PATH]

The old store is taken from git (the tree before it was removed, ``git archive``) and run
from that tree, so both are measured on the same machine in the same run. Phases, per store:

* ingest: ``prov_model.map_batch`` then ``Store.write``, 2000 tasks per write (the keeper's
  map and write), in the lineage benchmark's shape (``benchmarks/lineage_queries.py``: about
  three nodes and seven edges per task, workflows of 300 tasks); tasks/s and peak memory;
* open: a fresh process opening the store (the old one replays its whole log);
* cli: a fresh ``provgraph lineage upstream ID --depth 10`` (wall time including the
  interpreter, peak memory of that process), median of 3 ids;
* query: in process, ``keeper.lineage.api.upstream(store, id, depth=10)`` for 200 random
  tasks: p50 / p99;
* size: bytes on disk per task;
* one workflow: ``--one-workflow`` tasks in ONE workflow; rate of the first and last tenth;
* fan-out: ``--fanout`` tasks all generating the same value; rate of the first and last tenth;
* export (new store): PROV-JSON of one workflow of ``--export-small`` tasks and of ten times
  as many, peak memory of each process.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PER_WRITE = 2000
WORKFLOW_TASKS = 300
SHARED = "/bench/every/task/writes/this/same/output/path.txt"


def output(workflow: int, k: int) -> str:
    return f"/bench/wf{workflow:05d}/step{k:06d}/output.parquet"


def task(workflow: int, k: int, rng: random.Random, generated: str | None = None
         ) -> dict[str, Any]:
    used: dict[str, Any] = {"param": k % 7}
    if k >= 1:
        used["prev"] = output(workflow, k - 1)
    if k >= 3:
        used["skip"] = output(workflow, k - rng.randint(2, min(6, k)))
    base = 1_700_000_000.0 + workflow * 1000
    return {"type": "task", "task_id": f"w{workflow:05d}.{k:06d}",
            "workflow_id": f"wf{workflow:05d}", "activity_id": f"step{k % 20}",
            "status": "FINISHED", "hostname": "bench-host",
            "started_at": base + k * 0.01, "ended_at": base + k * 0.01 + 0.005,
            "used": used, "generated": {"out": generated or output(workflow, k)}}


def messages(tasks: int, per_workflow: int, shared: bool = False) -> list[dict[str, Any]]:
    rng = random.Random(7)
    out: list[dict[str, Any]] = []
    workflow = 0
    while len(out) < tasks:
        size = min(per_workflow, tasks - len(out))
        out.extend(task(workflow, k, rng, SHARED if shared else None) for k in range(size))
        workflow += 1
    return out


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- the worker: one phase in this process, over the tree in BENCH_ROOT ---------------------


def ingest(directory: str, tasks: list[dict[str, Any]]) -> dict[str, Any]:
    from keeper.stores.embedded import EmbeddedStore
    from prov_model import map_batch

    store = EmbeddedStore(directory)
    times: list[float] = []
    began = time.perf_counter()
    for start in range(0, len(tasks), PER_WRITE):
        t0 = time.perf_counter()
        store.write(map_batch(tasks[start : start + PER_WRITE]))
        times.append(time.perf_counter() - t0)
    seconds = time.perf_counter() - began
    tenth = max(1, len(times) // 10)
    per_write = min(PER_WRITE, len(tasks))
    store.close()
    return {"tasks": len(tasks), "seconds": round(seconds, 2),
            "tasks_per_s": round(len(tasks) / seconds),
            "first_tenth_tasks_per_s": round(per_write * tenth / sum(times[:tenth])),
            "last_tenth_tasks_per_s": round(per_write * tenth / sum(times[-tenth:])),
            "peak_mb": round(peak_mb())}


def worker(args: argparse.Namespace) -> dict[str, Any]:
    if args.phase == "ingest":
        return ingest(args.dir, messages(args.tasks, WORKFLOW_TASKS))
    if args.phase == "one-workflow":
        return ingest(args.dir, messages(args.tasks, args.tasks))
    if args.phase == "fanout":
        return ingest(args.dir, messages(args.tasks, WORKFLOW_TASKS, shared=True))
    if args.phase == "open":
        t0 = time.perf_counter()
        from keeper.stores.embedded import EmbeddedStore

        imported = time.perf_counter()
        store = EmbeddedStore(args.dir)
        opened = time.perf_counter()
        store.get_node("w00000.000000")
        return {"open_ms": round((opened - imported) * 1000, 1),
                "import_ms": round((imported - t0) * 1000, 1), "peak_mb": round(peak_mb())}
    if args.phase == "query":
        from keeper.lineage import api
        from keeper.stores.embedded import EmbeddedStore

        store = EmbeddedStore(args.dir)
        rng = random.Random(11)
        ids = [f"w{w:05d}.{k:06d}" for w, k in
               ((rng.randrange(args.tasks // WORKFLOW_TASKS), rng.randrange(WORKFLOW_TASKS))
                for _ in range(200))]
        for node_id in ids[:20]:
            api.upstream(store, node_id, depth=10)
        times, hits = [], []
        for node_id in ids:
            t0 = time.perf_counter()
            found = api.upstream(store, node_id, depth=10)
            times.append((time.perf_counter() - t0) * 1000)
            hits.append(len(found))
        times.sort()
        return {"p50_ms": round(statistics.median(times), 2),
                "p99_ms": round(times[int(len(times) * 0.99) - 1], 2),
                "mean_hits": round(statistics.mean(hits), 1), "peak_mb": round(peak_mb())}
    if args.phase == "export":
        from exports.api import export
        from exports.source import ExportScope
        from keeper.stores.embedded import EmbeddedStore

        store = EmbeddedStore(args.dir)
        t0 = time.perf_counter()
        export(store, ExportScope("workflow", args.workflow), "json", args.out)
        return {"seconds": round(time.perf_counter() - t0, 2), "peak_mb": round(peak_mb()),
                "bytes": os.path.getsize(args.out)}
    raise SystemExit(f"unknown phase {args.phase}")


# --- the driver ------------------------------------------------------------------------------


def run(root: Path, phase: str, directory: Path, **extra: Any) -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", phase,
               "--dir", str(directory)]
    for key, value in extra.items():
        command += [f"--{key.replace('_', '-')}", str(value)]
    env = {**os.environ, "BENCH_ROOT": str(root)}
    done = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True,
                          check=False)
    if done.returncode != 0:
        raise SystemExit(f"{phase} failed in {root}:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def cli(root: Path, data: Path, node_id: str) -> dict[str, Any]:
    env = {**os.environ, "PROVGRAPH_DATA_DIR": str(data), "PROVGRAPH_STORE": "embedded"}
    t0 = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "provgraph.cli", "lineage", "upstream",
                              node_id, "--depth", "10"], cwd=root, env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - t0
    if status != 0:
        raise SystemExit(f"lineage upstream failed in {root}: {child.stderr.read()!r}")  # type: ignore[union-attr]
    return {"wall_s": round(wall, 3), "peak_mb": round(usage.ru_maxrss / 1024)}


def old_tree(into: Path) -> Path | None:
    """The tree before the log store was removed, exported from git."""
    found = subprocess.run(["git", "-C", str(ROOT), "log", "-1", "--format=%H",
                            "--diff-filter=D", "--", "keeper/stores/embedded/log.py"],
                           capture_output=True, text=True, check=False).stdout.strip()
    if not found:
        return None
    into.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", f"{found}^"],
                             capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    # The old tree's own distribution metadata (entry points: its settings sections,
    # stores and commands under the module names of that tree), found before the installed
    # one because the old tree is first on sys.path of every process run in it.
    project = tomllib.loads((into / "pyproject.toml").read_text())["project"]
    lines = []
    for group, entries in project["entry-points"].items():
        lines += [f"[{group}]", *(f"{name} = {value}" for name, value in entries.items()), ""]
    info = into / "provgraph.egg-info"
    info.mkdir(exist_ok=True)
    (info / "entry_points.txt").write_text("\n".join(lines))
    (info / "PKG-INFO").write_text(f"Metadata-Version: 2.1\nName: provgraph\n"
                                   f"Version: {project['version']}\n")
    return into


def measure(name: str, root: Path, work: Path, args: argparse.Namespace) -> dict[str, Any]:
    out: dict[str, Any] = {}
    data = work / name / "data"
    store_dir = data / "embedded"
    sys.stderr.write(f"{name}: ingest of {args.tasks} tasks...\n")
    out["ingest"] = run(root, "ingest", store_dir, tasks=args.tasks)
    files = [p for p in store_dir.iterdir() if p.name.startswith("graph.")]
    out["bytes_per_task"] = round(sum(p.stat().st_size for p in files) / args.tasks)
    out["open"] = run(root, "open", store_dir)
    rng = random.Random(3)
    ids = [f"w{rng.randrange(args.tasks // WORKFLOW_TASKS):05d}.{rng.randrange(300):06d}"
           for _ in range(3)]
    runs = [cli(root, data, node_id) for node_id in ids]
    out["cli_upstream_depth10"] = {
        "wall_s": statistics.median(r["wall_s"] for r in runs),
        "peak_mb": max(r["peak_mb"] for r in runs)}
    out["query_upstream_depth10"] = run(root, "query", store_dir, tasks=args.tasks)
    shutil.rmtree(work / name)
    if args.one_workflow:
        sys.stderr.write(f"{name}: one workflow of {args.one_workflow} tasks...\n")
        out["one_workflow"] = run(root, "one-workflow", work / name / "one",
                                  tasks=args.one_workflow)
        shutil.rmtree(work / name)
    if args.fanout:
        sys.stderr.write(f"{name}: {args.fanout} tasks generating one value...\n")
        out["fanout"] = run(root, "fanout", work / name / "fan", tasks=args.fanout)
        shutil.rmtree(work / name)
    return out


def export_memory(work: Path, small: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for tasks in (small, small * 10):
        directory = work / f"export{tasks}"
        run(ROOT, "one-workflow", directory, tasks=tasks)
        out[str(tasks)] = run(ROOT, "export", directory, workflow="wf00000",
                              out=work / "export.json")
        shutil.rmtree(directory)
    big, little = out[str(small * 10)]["peak_mb"], out[str(small)]["peak_mb"]
    out["ratio"] = round(big / little, 2)
    return out


# (figure, how to read it from a store's results, target) for the summary table
ROWS = (
    ("ingest, map + write (tasks/s)", lambda r: r["ingest"]["tasks_per_s"], ">= 15000, 3x old"),
    ("ingest peak memory (MB)", lambda r: r["ingest"]["peak_mb"], "flat"),
    ("open (ms)", lambda r: r["open"]["open_ms"], "< 100"),
    ("fresh `lineage upstream --depth 10` (s)", lambda r: r["cli_upstream_depth10"]["wall_s"],
     "<= 0.5"),
    ("  its peak memory (MB)", lambda r: r["cli_upstream_depth10"]["peak_mb"], "<= 150"),
    ("in-process upstream depth 10 p50 (ms)", lambda r: r["query_upstream_depth10"]["p50_ms"],
     "<= 5"),
    ("size on disk (bytes/task)", lambda r: r["bytes_per_task"], "reported"),
    ("one workflow: first / last tenth (tasks/s)",
     lambda r: f"{r['one_workflow']['first_tenth_tasks_per_s']} / "
               f"{r['one_workflow']['last_tenth_tasks_per_s']}", "no slowdown"),
    ("one value, many generators: first / last tenth",
     lambda r: f"{r['fanout']['first_tenth_tasks_per_s']} / "
               f"{r['fanout']['last_tenth_tasks_per_s']}", "no slowdown"),
    ("export memory, 10x the tasks (ratio)", lambda r: r["export_workflow"]["ratio"], "<= 1.5"),
)


def print_table(results: dict[str, Any]) -> None:
    """The figures side by side: the SQLite store, the old log store of the same run."""
    names = [name for name in ("sqlite", "log") if name in results]
    print(f"\n{'figure':<44} {'  '.join(f'{n:>14}' for n in names)}  target")
    for label, read, target in ROWS:
        cells = []
        for name in names:
            try:
                cells.append(f"{read(results[name])!s:>14}")
            except KeyError:
                cells.append(f"{'-':>14}")
        print(f"{label:<44} {'  '.join(cells)}  {target}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--one-workflow", type=int, default=100_000)
    parser.add_argument("--fanout", type=int, default=20_000)
    parser.add_argument("--export-small", type=int, default=10_000)
    parser.add_argument("--no-old", action="store_true", help="measure the new store only")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--dir", help=argparse.SUPPRESS)
    parser.add_argument("--workflow", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--smoke", action="store_true",
                        help="tiny counts, the new store only: checks the script runs")
    args = parser.parse_args()
    if args.smoke:  # (no figures import here: the worker runs inside the old tree too)
        args.tasks, args.one_workflow, args.fanout, args.export_small = 600, 600, 600, 100
        args.no_old = True
    if args.worker:
        sys.path.insert(0, os.environ.get("BENCH_ROOT", str(ROOT)))
        args.phase = args.worker
        print(json.dumps(worker(args)))
        return 0
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="bench-embedded-") as tmp:
        work = Path(tmp)
        results["sqlite"] = measure("sqlite", ROOT, work, args)
        if args.export_small:
            sys.stderr.write("sqlite: export memory...\n")
            results["sqlite"]["export_workflow"] = export_memory(work, args.export_small)
        sys.stderr.write(json.dumps(results["sqlite"]) + "\n")
        old = None if args.no_old else old_tree(work / "old-tree")
        if old is not None:
            results["log"] = measure("log", old, work, args)
    new_rate = results["sqlite"]["ingest"]["tasks_per_s"]
    if "log" in results:
        results["ingest_speedup"] = round(new_rate / results["log"]["ingest"]["tasks_per_s"], 2)
    print(json.dumps(results, indent=2))
    print_table(results)
    if args.json:
        sys.path.insert(0, str(ROOT / "benchmarks"))
        from figures import write_figures

        write_figures(args.json, "embedded_store", {"tasks": args.tasks}, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
