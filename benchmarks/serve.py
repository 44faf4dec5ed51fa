"""`provgraph serve` through its HTTP API on the lineage benchmark's graph: expand one level
p50, upstream depth 10 p50 (the client's time and the server's, from ``Server-Timing``) on
the embedded store and Neo4j, and the explorer's first paint of the 10k-task workflow in
Chromium; the reference in the same run: writing the offline page of the same workflow
(``provgraph viz``, :func:`exports.views.write_view`).

    .venv/bin/python benchmarks/serve.py [--nodes N] [--queries Q] [--no-neo4j] [--smoke]

The graph is `benchmarks/lineage_queries.py`'s (built with the keeper's write path into the
embedded store, copied as it is into an empty Neo4j). `--smoke`: 40k nodes, 30 queries.
Targets (the issue): expand p50 <= 20 ms, upstream depth 10 p50 <= 50 ms on both stores,
first paint < 1 s. A missed target is reported, never an error exit.
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from lineage_queries import BIG_WORKFLOW, build, copy_into, plan, view_time  # noqa: E402

from keeper.stores.embedded import EmbeddedStore  # noqa: E402
from provgraph.core.config import get_settings, load_settings  # noqa: E402
from tests.provgraph.serve.conftest import start_server, stop  # noqa: E402

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def get(url: str) -> tuple[float, float]:
    """(client ms, server ms) of one GET."""
    t0 = time.perf_counter()
    with urllib.request.urlopen(url, timeout=60) as response:
        response.read()
        timing = response.headers.get("server-timing", "app;dur=nan")
    client = (time.perf_counter() - t0) * 1000
    return client, float(timing.split("dur=")[1])


def percentiles(samples: list[tuple[float, float]]) -> dict[str, float]:
    client = sorted(s[0] for s in samples)
    server = sorted(s[1] for s in samples)
    return {"client_p50_ms": round(statistics.median(client), 2),
            "client_p99_ms": round(client[min(len(client) - 1, int(len(client) * 0.99))], 2),
            "server_p50_ms": round(statistics.median(server), 2), "queries": len(client)}


def measure(url: str, starts: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, path in (("expand", "/api/expand?"), ("upstream_depth10", "/api/upstream?")):
        extra = {} if name == "expand" else {"depth": 10}
        for task in starts[: max(5, len(starts) // 10)]:  # warm-up
            get(url + path + urllib.parse.urlencode({"id": task, **extra}))
        out[name] = percentiles([get(url + path + urllib.parse.urlencode({"id": t, **extra}))
                                 for t in starts])
    return out


def first_paint(url: str, workflow: str, runs: int = 3) -> dict[str, Any]:
    """Navigation to the workflow's page until its overview is drawn (best of ``runs``)."""
    from playwright.sync_api import sync_playwright

    times, drawn = [], []
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, headless=True,
                                         args=["--no-sandbox", "--disable-gpu"])
        for _ in range(runs):
            page = browser.new_page(viewport={"width": 1400, "height": 850})
            t0 = time.perf_counter()
            page.goto(f"{url}/#/w/{urllib.parse.quote(workflow, safe='')}")
            page.wait_for_selector("body[data-ready=workflow]", timeout=60_000)
            times.append((time.perf_counter() - t0) * 1000)
            drawn.append(page.evaluate("window.provgraphExplorer.firstPaintMs"))
            page.close()
        browser.close()
    return {"navigation_to_paint_ms": round(min(times), 1),
            "fetch_to_paint_ms": round(min(drawn), 1), "runs": runs}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-neo4j", action="store_true")
    parser.add_argument("--smoke", action="store_true", help="40k nodes, 30 queries")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if args.smoke:
        args.nodes, args.queries = 40_000, 30
    rng = random.Random(args.seed)
    data = Path(tempfile.mkdtemp(prefix="serve-bench-"))
    settings = load_settings(environ={"PROVGRAPH_DATA_DIR": str(data)})
    embedded = EmbeddedStore(settings.embedded_store_dir)
    sizes = plan(args.nodes)
    build({"embedded": embedded}, sizes, rng)
    tasks = [f"w{w:05d}.{k:05d}" for w, size in enumerate(sizes) for k in range(size)]
    starts = rng.sample(tasks, min(args.queries, len(tasks)))
    results: dict[str, Any] = {"nodes": args.nodes, "tasks": len(tasks), "stores": {}}
    stores: dict[str, Any] = {"embedded": (embedded, {"PROVGRAPH_STORE": "embedded"})}
    if not args.no_neo4j:
        from keeper.stores.neo4j import Neo4jStore

        neo4j = Neo4jStore.from_settings(copy.deepcopy(get_settings()))
        neo4j.clear()
        copy_into(neo4j, embedded)
        stores["neo4j"] = (neo4j, {"PROVGRAPH_STORE": "neo4j"})
    for name, (store, env) in stores.items():
        url, process = start_server({"PROVGRAPH_DATA_DIR": str(data), **env})
        try:
            entry = measure(url, starts)
            entry["first_paint"] = first_paint(url, "wf00000")
        finally:
            stop(process)
        entry["reference_offline_page"] = view_time(store, data / f"view-{name}.html")
        results["stores"][name] = entry
        print(f"{name}: expand p50 {entry['expand']['client_p50_ms']} ms (server "
              f"{entry['expand']['server_p50_ms']}), upstream depth 10 p50 "
              f"{entry['upstream_depth10']['client_p50_ms']} ms (server "
              f"{entry['upstream_depth10']['server_p50_ms']}), first paint of the "
              f"{BIG_WORKFLOW}-task workflow {entry['first_paint']['navigation_to_paint_ms']} ms;"
              f" reference: the offline page written in "
              f"{entry['reference_offline_page']['seconds']} s")
    if "neo4j" in stores:
        stores["neo4j"][0].clear()
    print(json.dumps(results, indent=1))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    shutil.rmtree(data, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
