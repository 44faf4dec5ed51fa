"""Chaos, with the real Redis and Neo4j: three producers write chained tasks while the
keeper is SIGKILLed twice, Redis is killed with SIGKILL and brought back, and Neo4j is
killed and restarted. Every task is stored once, with its values and edges; no keeper
exits on an outage; nothing goes to the dead letters.

The servers are this checkout's own (``provgraph.yaml``), killed by the pid in their
pid files through ``provgraph.services.control``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from capture.hubs.spool import Spool
from keeper.sources.base import open_source
from keeper.stores.neo4j import Neo4jStore
from provgraph.core.config import Settings, load_settings
from provgraph.core.errors import StoreError
from provgraph.services import control
from tests.conftest import wait_for
from tests.keeper.conftest import installed, neo4j_settings

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(600)]

PRODUCERS = 3
TASKS = 1000  # per producer, over ~50 s: every fault happens while they produce
# The whole scenario, faults and recovery included. Most of it is Neo4j starting again
# after SIGKILL (JVM start and recovery): ~20 s on an idle 2-core machine, minutes when
# the machine is busy.
DEADLINE_S = 480.0

PRODUCER = """
import sys, time
from capture import Flowcept, flowcept_task

@flowcept_task(output_names="out")
def step(i, previous):
    return f"{previous.split('|')[0]}|value {i:06d} of the chain"

producer, count = sys.argv[1], int(sys.argv[2])
value = f"p{producer}|seed of the chain"
with Flowcept(workflow_id=f"chaos-wf-{producer}", start_persistence=False):
    for i in range(count):
        value = step(i, value)
        if i % 10 == 9:
            time.sleep(0.5)  # paced: production spans the faults
"""


def expected_output(producer: int, i: int) -> str:
    return f"p{producer}|value {i:06d} of the chain"


def write_yaml(path: Path, content: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(content))
    return path


@pytest.fixture
def chaos(tmp_path: Path, stream: str) -> Iterator[tuple[Settings, Neo4jStore]]:
    settings = neo4j_settings(tmp_path / "data", stream)
    with installed(settings) as store:
        assert isinstance(store, Neo4jStore)
        try:
            yield settings, store
        finally:
            control.up(load_settings())  # whatever happened, our servers answer again


def count(store: Neo4jStore, query: str) -> int:
    """One number from the graph, or -1 while Neo4j is unavailable."""
    try:
        return int(store.run_read(query)[0]["n"])
    except StoreError:
        return -1


def stored_tasks(store: Neo4jStore) -> int:
    return count(store, "MATCH (t:Task) WHERE t.workflow_id STARTS WITH 'chaos-wf-' "
                        "RETURN count(t) AS n")


def test_producers_keepers_redis_and_neo4j_killed_nothing_lost_or_duplicated(
    chaos: tuple[Settings, Neo4jStore], tmp_path: Path
) -> None:
    settings, store = chaos
    services = load_settings()  # the settings `make services` used: our own servers
    services.services.start_timeout_s = DEADLINE_S  # a busy machine starts Neo4j slowly
    cfg, neo = settings.hub.redis, settings.store.neo4j
    hub = {"kind": "redis", "redis": {"url": cfg.url, "stream": cfg.stream, "group": cfg.group,
                                      "dead_letter_stream": cfg.dead_letter_stream,
                                      "retry_interval_s": 0.5}}
    keeper_config = write_yaml(tmp_path / "keeper.yaml", {
        "data_dir": str(tmp_path / "keeper-data"), "hub": hub,
        "store": {"kind": "neo4j", "neo4j": {"uri": neo.uri, "user": neo.user,
                                             "password": neo.password}},
        "keeper": {"claim_idle_s": 2.0, "block_ms": 200, "retry_max_s": 1.0},
    })
    env = {k: v for k, v in os.environ.items()
           if k not in ("PROVGRAPH_HUB", "PROVGRAPH_STORE", "PROVGRAPH_REDIS_STREAM",
                        "PROVGRAPH_REDIS_URL", "PROVGRAPH_DATA_DIR")}

    logs: list[Path] = []

    def spawn(args: list[str], config: Path, name: str) -> subprocess.Popen[bytes]:
        log = tmp_path / f"{name}.log"  # a file, not a pipe nobody reads while it runs
        logs.append(log)
        with open(log, "wb") as out:
            return subprocess.Popen([sys.executable, *args],
                                    env={**env, "PROVGRAPH_SETTINGS": str(config)},
                                    stdout=out, stderr=subprocess.STDOUT)

    def keeper() -> subprocess.Popen[bytes]:
        return spawn(["-m", "provgraph.cli", "keeper", "run", "-q"], keeper_config,
                     f"keeper-{len(keepers) + 1}")

    def producer(index: int) -> subprocess.Popen[bytes]:
        config = write_yaml(tmp_path / f"producer-{index}.yaml", {
            "data_dir": str(tmp_path / f"producer-{index}"), "hub": hub,
            "buffer": {"max_batch": 50, "flush_interval_s": 0.1},
        })
        return spawn(["-c", PRODUCER, str(index), str(TASKS)], config, f"producer-{index}")

    def left() -> float:
        return max(1.0, DEADLINE_S - (time.monotonic() - started))

    def reached(what: str, fraction: float) -> None:
        wait_for(lambda: stored_tasks(store) >= int(total * fraction), left(), what)
        figures[what] = round(time.monotonic() - started, 1)

    total = PRODUCERS * TASKS
    started = time.monotonic()
    keepers: list[subprocess.Popen[bytes]] = []
    figures: dict[str, Any] = {}
    keepers.append(keeper())
    producers = [producer(i) for i in range(PRODUCERS)]
    try:
        reached("10% stored", 0.10)
        keepers[0].send_signal(signal.SIGKILL)  # keeper 1 dies mid-stream
        keepers.append(keeper())
        reached("20% stored", 0.20)
        assert all(p.poll() is None for p in producers), "the producers ended too soon"
        control.kill("redis", services)  # Redis dies under producers and keeper 2
        down = time.monotonic()
        time.sleep(2.0)  # an outage, not a blip: producers spool, the keeper backs off
        control.up(services)
        figures["redis_down_s"] = round(time.monotonic() - down, 1)
        assert keepers[1].poll() is None, "keeper 2 exited on the Redis outage"
        reached("45% stored", 0.45)
        keepers[1].send_signal(signal.SIGKILL)  # keeper 2 dies mid-stream
        keepers.append(keeper())
        reached("60% stored", 0.60)
        control.kill("neo4j", services)  # Neo4j dies under keeper 3
        down = time.monotonic()
        control.up(services)
        figures["neo4j_down_s"] = round(time.monotonic() - down, 1)
        assert keepers[2].poll() is None, "keeper 3 exited on the Neo4j outage"
        for index, process in enumerate(producers):
            process.wait(left())
            assert process.returncode == 0, logs[1 + index].read_text()
            # what Redis could not take was replayed once it was back: no spool is left
            assert Spool(tmp_path / f"producer-{index}" / "spool").count() == 0
        figures["producers done"] = round(time.monotonic() - started, 1)
        reached("all stored", 1.0)
        assert keepers[2].poll() is None, "keeper 3 exited"
        keepers[2].send_signal(signal.SIGTERM)
        keepers[2].wait(30)
        figures["seconds"] = round(time.monotonic() - started, 1)
    finally:
        for process in keepers + producers:
            if process.poll() is None:
                process.kill()
                process.wait(10)
        print(f"chaos: {total} tasks from {PRODUCERS} producers, 2 keeper SIGKILLs, "
              f"{figures}")
        for log in logs:
            print(f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}")
    assert [k.returncode for k in keepers] == [-signal.SIGKILL, -signal.SIGKILL, 0]

    for p in range(PRODUCERS):
        wf = {"wf": f"chaos-wf-{p}"}
        rows = store.run_read(
            "MATCH (t:Task {workflow_id: $wf}) "
            "RETURN count(t) AS n, count(DISTINCT t.id) AS ids, "
            "collect(t.generated_json) AS outputs", wf, limit=1)[0]
        assert rows["n"] == rows["ids"] == TASKS
        outputs = sorted(rows["outputs"])
        assert outputs == sorted(f'{{"out":"{expected_output(p, i)}"}}' for i in range(TASKS))
        by_type: dict[str, int] = {}
        for pattern in ("(t:Task {workflow_id: $wf})-[r]->()",
                        "()-[r]->(t:Task {workflow_id: $wf})"):
            for edge in store.run_read(
                    f"MATCH {pattern} RETURN type(r) AS type, count(r) AS n, "
                    "count(DISTINCT [startNode(r).id, endNode(r).id, r.role]) AS distinct",
                    wf):
                by_type[edge["type"]] = by_type.get(edge["type"], 0) + edge["n"]
                assert edge["n"] == edge["distinct"], f"duplicated {edge['type']} edges"
        assert by_type["USED"] == 2 * TASKS  # i and the previous value
        assert by_type["WAS_GENERATED_BY"] == TASKS
        # the chain: task i used what task i-1 generated (both ends are this workflow's)
        assert by_type["WAS_INFORMED_BY"] == 2 * (TASKS - 1)
        assert by_type["WAS_PART_OF"] == TASKS
    assert count(store, "MATCH (w:Workflow) WHERE w.id STARTS WITH 'chaos-wf-' "
                        "AND w.hostname IS NOT NULL RETURN count(w) AS n") == PRODUCERS  # not stubs
    assert open_source(settings).dead_letters() == []
