"""End-to-end latency: from a task's end to its write committed in Neo4j.

A producer thread runs ``@flowcept_task`` calls at a steady rate into the Redis hub; a
keeper thread (Redis consumer group → Neo4j) stores them; the keeper's stats record, for
every stored task, ``commit time - ended_at``. Printed: p50/p99/max per buffer flush
interval (the capture buffer's ``flush_interval_s`` bounds the latency at low rates).

    .venv/bin/python benchmarks/keeper_latency.py --rate 500 --seconds 10
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from figures import add_smoke, apply_smoke

from capture import Flowcept, flowcept_task, recorder
from keeper.loop import Keeper
from keeper.sources.base import open_source
from keeper.stores.base import open_store
from provgraph.core.config import Settings, get_settings, load_settings

SHARED = "the shared input of every task in the latency run"


@flowcept_task(output_names="out")
def work(i: int, shared: str) -> str:
    return f"latency benchmark output {i:010d}"


def settings_for(data_dir: str, stream: str, flush_interval: float, uri: str) -> Settings:
    settings = load_settings(environ={
        "PROVGRAPH_DATA_DIR": data_dir, "PROVGRAPH_HUB": "redis",
        "PROVGRAPH_REDIS_STREAM": stream, "PROVGRAPH_STORE": "neo4j",
        "PROVGRAPH_NEO4J_URI": uri,
    })
    settings.buffer.flush_interval_s = flush_interval
    settings.hub.redis.group = "latency-" + stream
    settings.hub.redis.dead_letter_stream = stream + ":dead"
    settings.keeper.block_ms = 50
    return settings


def run(rate: int, seconds: float, flush_interval: float, uri: str) -> dict[str, float | int]:
    stream = f"bench:latency:{uuid.uuid4().hex[:8]}"
    settings = settings_for(tempfile.mkdtemp(), stream, flush_interval, uri)
    recorder.configure(settings)
    source = open_source(settings)
    store = open_store(settings)
    keeper = Keeper(source, store, settings)
    thread = threading.Thread(target=keeper.run, daemon=True)
    thread.start()
    total = int(rate * seconds)
    with Flowcept(workflow_name="latency", start_persistence=False):
        started = time.monotonic()
        for i in range(total):
            work(i, SHARED)
            delay = started + (i + 1) / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
    deadline = time.monotonic() + 120
    while keeper.stats.messages < total + 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    keeper.stop()
    thread.join(30)
    stats = keeper.stats
    result = {
        "rate_per_s": rate, "tasks": total, "flush_interval_s": flush_interval,
        "stored": stats.messages, "p50_ms": round((stats.latency(0.5) or 0) * 1000, 1),
        "p99_ms": round((stats.latency(0.99) or 0) * 1000, 1),
        "max_ms": round((stats.latency(1.0) or 0) * 1000, 1),
    }
    source._client.delete(stream, stream + ":dead")  # type: ignore[attr-defined]
    source.close()
    store.close()
    recorder.configure(None)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=int, default=500, help="tasks per second (500)")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of a run (10)")
    parser.add_argument("--flush-intervals", default="1.0,0.1",
                        help="capture buffer flush intervals to try, in s (1.0,0.1)")
    parser.add_argument("--uri", default=get_settings().store.neo4j.uri,
                        help="the Neo4j server (the one the settings name)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    add_smoke(parser)
    args = apply_smoke(parser.parse_args(), rate=200, seconds=1.0, flush_intervals="0.1")
    results = []
    print(f"end-to-store latency: {args.rate} tasks/s for {args.seconds}s, "
          f"Redis hub -> keeper -> Neo4j ({args.uri})")
    print(f"{'flush interval':>15} {'stored':>7} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for interval in (float(x) for x in args.flush_intervals.split(",")):
        try:
            result = run(args.rate, args.seconds, interval, args.uri)
        except Exception as exc:  # a benchmark reports, it does not fail
            print(f"run with flush interval {interval}s failed: {exc}")
            continue
        results.append(result)
        print(f"{interval:>14}s {result['stored']:>7} {result['p50_ms']:>8} "
              f"{result['p99_ms']:>8} {result['max_ms']:>8}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
