"""Past one machine, on the real Redis Cluster and Neo4j: three producer processes write
chained tasks over three shards, two keepers share them; one keeper is SIGKILLed, one
Redis master is killed with SIGKILL (its replica takes over) and restarted. Every task is
stored exactly once with its edges, nothing goes to the dead letters, ``verify`` finds
everything, and the surviving keeper never exits by itself. The same with the
single-stream hub (Redis itself killed and restarted), to show nothing changed there.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from keeper.ledger import open_ledger, verify
from keeper.sources.base import open_source
from keeper.stores.neo4j import Neo4jStore
from provgraph.core.config import load_settings
from provgraph.core.errors import StoreError
from provgraph.core.shards import shard_stream, shard_tags
from provgraph.services import control
from provgraph.services import redis_cluster as cluster_service
from tests.conftest import wait_for
from tests.keeper.conftest import installed, neo4j_settings
from tests.keeper.test_cluster_chaos_check import check_graph
from tests.keeper.test_verify import CLUSTER_URL

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(600)]

PRODUCERS = 3
TASKS = 2000
DEADLINE_S = 300.0

PRODUCER = """
import sys, time
from capture import Flowcept, flowcept_task

@flowcept_task(output_names="out")
def step(i, previous):
    return f"{previous.split('|')[0]}|value {i:06d} of the chain"

producer, count = sys.argv[1], int(sys.argv[2])
value = f"p{producer}|seed of the chain"
with Flowcept(workflow_id=f"scale-wf-{producer}", start_persistence=False):
    for i in range(count):
        value = step(i, value)
        if i % 10 == 9:
            time.sleep(0.2)  # paced (~40 s): production spans the faults
"""


def stored_tasks(store: Neo4jStore) -> int:
    try:
        return int(store.run_read("MATCH (t:Task) WHERE t.workflow_id STARTS WITH "
                                  "'scale-wf-' RETURN count(t) AS n")[0]["n"])
    except StoreError:
        return -1


@pytest.mark.parametrize("hub", ["cluster", "single"])
def test_keepers_and_a_redis_master_killed_nothing_lost(hub: str, tmp_path: Path,
                                                        stream: str) -> None:
    services = load_settings()
    if hub == "cluster":
        cluster_service.up(services, echo=lambda line: None)
    settings = neo4j_settings(tmp_path / "data", stream)
    redis_cfg: dict[str, Any] = {"url": settings.hub.redis.url, "stream": stream,
                                 "group": settings.hub.redis.group,
                                 "dead_letter_stream": settings.hub.redis.dead_letter_stream,
                                 "retry_interval_s": 0.5}
    if hub == "cluster":
        redis_cfg.update(url=CLUSTER_URL, cluster=True, shards=3)
        settings.hub.redis.url, settings.hub.redis.cluster = CLUSTER_URL, True
    neo = settings.store.neo4j
    store_cfg = {"kind": "neo4j", "neo4j": {"uri": neo.uri, "user": neo.user,
                                            "password": neo.password}}
    keeper_yaml = tmp_path / "keeper.yaml"
    keeper_yaml.write_text(yaml.safe_dump({
        "data_dir": str(tmp_path / "keeper"), "hub": {"kind": "redis", "redis": redis_cfg},
        "store": store_cfg,
        "keeper": {"claim_idle_s": 2.0, "block_ms": 200, "retry_max_s": 1.0}}))
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROVGRAPH_")}
    logs: list[Path] = []

    def spawn(args: list[str], config: Path, name: str) -> subprocess.Popen[bytes]:
        log = tmp_path / f"{name}.log"
        logs.append(log)
        with open(log, "wb") as out:
            return subprocess.Popen([sys.executable, *args],
                                    env={**env, "PROVGRAPH_SETTINGS": str(config)},
                                    stdout=out, stderr=subprocess.STDOUT)

    def producer(index: int) -> subprocess.Popen[bytes]:
        config = tmp_path / f"producer-{index}.yaml"
        config.write_text(yaml.safe_dump({
            "data_dir": str(tmp_path / f"producer-{index}"),
            "hub": {"kind": "redis", "redis": redis_cfg},
            "buffer": {"max_batch": 100, "flush_interval_s": 0.1}}))
        return spawn(["-c", PRODUCER, str(index), str(TASKS)], config, f"producer-{index}")

    total = PRODUCERS * TASKS
    figures: dict[str, Any] = {}
    with installed(settings) as store:
        assert isinstance(store, Neo4jStore)
        started = time.monotonic()

        def reached(what: str, fraction: float) -> None:
            left = max(1.0, DEADLINE_S - (time.monotonic() - started))
            wait_for(lambda: stored_tasks(store) >= int(total * fraction), left, what)
            figures[what] = round(time.monotonic() - started, 1)

        keepers = [spawn(["-m", "provgraph.cli", "keeper", "run", "-q"], keeper_yaml,
                         f"keeper-{k}") for k in (1, 2)]
        producers = [producer(i) for i in range(PRODUCERS)]
        try:
            reached("10% stored", 0.10)
            keepers[0].send_signal(signal.SIGKILL)  # keeper 1 dies holding shards
            reached("30% stored", 0.30)
            assert all(p.poll() is None for p in producers), "the producers ended too soon"
            if hub == "cluster":
                _kill_a_master(services, shard_stream(stream, shard_tags(3)[0]), figures)
            else:
                control.kill("redis", services)
                time.sleep(1.0)  # an outage, not a blip: producers spool
                control.up(services)
            assert keepers[1].poll() is None, "keeper 2 exited on the Redis outage"
            for process in producers:
                process.wait(max(1.0, DEADLINE_S - (time.monotonic() - started)))
                assert process.returncode == 0, logs[2 + producers.index(process)].read_text()
            reached("all stored", 1.0)
            wait_for(lambda: open_source(settings).backlog() == 0, 60, "an empty backlog")
            assert keepers[1].poll() is None, "keeper 2 exited by itself"
            keepers[1].send_signal(signal.SIGTERM)
            keepers[1].wait(30)
            figures["seconds"] = round(time.monotonic() - started, 1)
        finally:
            for process in keepers + producers:
                if process.poll() is None:
                    process.kill()
                    process.wait(10)
            print(f"{hub}: {total} tasks, {figures}")
            for log in logs:
                print(f"--- {log.name}\n{log.read_text(errors='replace')[-2000:]}")
        assert [k.returncode for k in keepers] == [-signal.SIGKILL, 0]
        check_graph(store, PRODUCERS, TASKS)
        assert open_source(settings).dead_letters() == []
        answer = verify(open_ledger(settings, store))
        assert answer.complete, answer.line()
        assert answer.totals()["producers"] == PRODUCERS
        assert answer.totals()["dead_letters"] == 0
        print(answer.line())


def _kill_a_master(services: Any, key: str, figures: dict[str, Any]) -> None:
    """SIGKILL the master serving ``key``, wait until its replica serves it, restart it."""
    victim = cluster_service.master_of(next(p for p in cluster_service.PORTS
                                            if cluster_service.node_info(p)), key)
    probe = next(p for p in cluster_service.PORTS if p != victim)
    down = time.monotonic()
    cluster_service.kill_node(services, victim)

    def promoted() -> bool:
        try:
            return cluster_service.master_of(probe, key) != victim and (
                cluster_service.node_info(probe) or {}).get("cluster_state") == "ok"
        except Exception:
            return False

    wait_for(promoted, 60, "a replica to take over the killed master's slots")
    figures["failover_s"] = round(time.monotonic() - down, 1)
    cluster_service.up(services, echo=lambda line: None)  # the old master rejoins as replica
    figures["master_back_s"] = round(time.monotonic() - down, 1)
