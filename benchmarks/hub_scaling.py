"""Past one machine, measured: producer throughput into one Redis stream and into three
shards of the local Redis Cluster, and keeper throughput into Neo4j with one and two
keeper processes sharing the shards.

Needs `provgraph services up --redis-cluster`. Prints one line per figure.

    python benchmarks/hub_scaling.py [--messages 100000] [--tasks 20000]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import orjson
import yaml
from figures import add_smoke, apply_smoke

from capture.hubs.redis_cluster import RedisClusterHub
from capture.hubs.redis_stream import RedisHub
from keeper.stores.base import open_store
from provgraph.core.config import load_settings

CLUSTER_URL = "redis://127.0.0.1:7000"


def task(i: int, workflow: str) -> bytes:
    return orjson.dumps({
        "type": "task", "task_id": f"{workflow}-{i}", "workflow_id": workflow,
        "activity_id": "step", "status": "FINISHED", "started_at": 1.0, "ended_at": 2.0,
        "used": {"i": i, "previous": f"{workflow}|value {i - 1:06d} of the chain"},
        "generated": {"out": f"{workflow}|value {i:06d} of the chain"}, "hostname": "bench"})


def produce(hub: RedisHub | RedisClusterHub, messages: int, workflows: int, batch: int
            ) -> float:
    encoded = [task(i, f"bench-{uuid.uuid4().hex[:6]}-{i % workflows}")
               for i in range(messages)]
    start = time.perf_counter()
    for offset in range(0, messages, batch):
        hub.emit(encoded[offset:offset + batch])
    elapsed = time.perf_counter() - start
    hub.close()
    return messages / elapsed


def keepers(count: int, tasks: int, tmp: Path) -> float:
    """Messages/s of ``count`` keeper processes storing ``tasks`` tasks from 3 shards."""
    settings = load_settings(environ={**os.environ, "PROVGRAPH_STORE": "neo4j"})
    neo = settings.store.neo4j
    stream = f"bench:{uuid.uuid4().hex[:8]}"
    redis_cfg = {"url": CLUSTER_URL, "cluster": True, "shards": 3, "stream": stream,
                 "group": "bench", "dead_letter_stream": stream + ":dead"}
    hub = RedisClusterHub(CLUSTER_URL, stream, 3, tmp / "spool")
    workflows = [f"kbench-{uuid.uuid4().hex[:6]}-{w}" for w in range(6)]
    for offset in range(0, tasks, 1000):
        hub.emit([task(i, workflows[(i // 1000) % 6]) for i in range(offset, offset + 1000)])
    hub.close()
    store = open_store(settings)
    store.clear()
    config = tmp / f"keeper-{count}.yaml"
    config.write_text(yaml.safe_dump({
        "data_dir": str(tmp / "keeper"), "hub": {"kind": "redis", "redis": redis_cfg},
        "store": {"kind": "neo4j", "neo4j": {"uri": neo.uri, "user": neo.user,
                                             "password": neo.password}}}))
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROVGRAPH_")}
    start = time.perf_counter()
    procs = [subprocess.Popen([sys.executable, "-m", "provgraph.cli", "keeper", "run", "-q",
                               "--until-idle"], env={**env, "PROVGRAPH_SETTINGS": str(config)})
             for _ in range(count)]
    for proc in procs:
        proc.wait()
    elapsed = time.perf_counter() - start
    stored = int(store.run_read("MATCH (t:Task) RETURN count(t) AS n")[0]["n"])
    store.clear()
    store.close()
    if stored != tasks:
        raise SystemExit(f"stored {stored} of {tasks}")
    return tasks / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--tasks", type=int, default=20_000)
    add_smoke(parser)
    args = apply_smoke(parser.parse_args(), messages=2000, tasks=1000)
    settings = load_settings()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        single = RedisHub(settings.hub.redis.url, f"bench:{uuid.uuid4().hex[:8]}",
                          base / "s1")
        print(f"producer -> 1 stream:   {produce(single, args.messages, 6, 1000):,.0f} msg/s")
        sharded = RedisClusterHub(CLUSTER_URL, f"bench:{uuid.uuid4().hex[:8]}", 3, base / "s3")
        print(f"producer -> 3 shards:   {produce(sharded, args.messages, 6, 1000):,.0f} msg/s")
        for count in (1, 2):
            rate = keepers(count, args.tasks, base)
            print(f"{count} keeper(s) -> Neo4j: {rate:,.0f} tasks/s")


if __name__ == "__main__":
    main()
