"""The keeper against failures, with the real Redis and Neo4j: a keeper killed with
SIGKILL mid-stream, and Neo4j stopped and started mid-stream. Every task ends up stored
exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from capture import Flowcept, flowcept_task
from keeper.loop import Keeper
from keeper.sources.base import open_source
from keeper.stores.base import Store, open_store
from provgraph.core.config import Settings, load_settings
from tests.conftest import wait_for
from tests.keeper.conftest import installed, neo4j_settings

pytestmark = pytest.mark.integration

LONG = "shared input value " * 3


@flowcept_task(output_names="out")
def work(i, shared):
    return f"output number {i:08d} of the resilience run"


WORKFLOW_ID = "resilience-workflow"


def produce(count: int, start: int = 0) -> None:
    with Flowcept(workflow_id=WORKFLOW_ID, start_persistence=False):
        for i in range(start, start + count):
            work(i, LONG)


def settings_file(path: Path, settings: Settings) -> Path:
    """The test's settings as a YAML file, for keeper subprocesses."""
    path.write_text(yaml.safe_dump({
        "data_dir": settings.data_dir,
        "hub": {"kind": "redis", "redis": {
            "url": settings.hub.redis.url, "stream": settings.hub.redis.stream,
            "group": settings.hub.redis.group,
            "dead_letter_stream": settings.hub.redis.dead_letter_stream}},
        "store": {"kind": "neo4j", "neo4j": {
            "uri": settings.store.neo4j.uri, "user": settings.store.neo4j.user,
            "password": settings.store.neo4j.password}},
        "keeper": {"claim_idle_s": 1.0, "block_ms": 100, "read_count": 20},
    }))
    return path


def stored_task_ids(store: Store) -> list[str]:
    return [n["id"] for n in store.find_nodes("Task", {"workflow_id": WORKFLOW_ID})]


def edge_count(store: Store, kind: str, task_ids: set[str]) -> int:
    """Edges of ``kind`` touching this test's tasks (the server may hold other data)."""
    return sum(1 for e in store.iter_edges((kind,)) if e["src"] in task_ids or e["dst"] in task_ids)


@pytest.fixture
def setup(tmp_path: Path, stream: str) -> Iterator[tuple[Settings, Store]]:
    settings = neo4j_settings(tmp_path / "data", stream)
    settings.buffer.max_batch = 50  # many small stream entries
    with installed(settings) as store:
        yield settings, store


def keeper_process(config: Path, *args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PROVGRAPH_SETTINGS": str(config)}
    for var in ("PROVGRAPH_HUB", "PROVGRAPH_STORE", "PROVGRAPH_REDIS_STREAM"):
        env.pop(var, None)
    return subprocess.Popen([sys.executable, "-m", "provgraph.cli", "keeper", "run", "-q", *args],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_keeper_killed_mid_stream_loses_and_duplicates_nothing(
    setup: tuple[Settings, Store], tmp_path: Path
) -> None:
    settings, store = setup
    total = 3000
    produce(total)
    config = settings_file(tmp_path / "provgraph.yaml", settings)
    first = keeper_process(config)
    wait_for(lambda: len(stored_task_ids(store)) >= 300, 60, "the first keeper to store some")
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    assert len(stored_task_ids(store)) < total  # it really died mid-stream
    second = keeper_process(config, "--until-idle")
    _, err = second.communicate(timeout=240)
    assert second.returncode == 0, err.decode()
    ids = stored_task_ids(store)
    assert len(ids) == len(set(ids)) == total
    assert edge_count(store, "USED", set(ids)) == 2 * total  # i (local) and the shared value
    assert edge_count(store, "WAS_GENERATED_BY", set(ids)) == total
    assert open_source(settings).dead_letters() == []


def test_neo4j_stopped_and_started_mid_stream_loses_nothing(
    setup: tuple[Settings, Store],
) -> None:
    from provgraph.services import control as services

    settings, store = setup
    service_settings = load_settings()  # the settings `make services` used
    keeper = Keeper(open_source(settings), open_store(settings), settings)
    thread = threading.Thread(target=keeper.run, daemon=True)
    thread.start()
    try:
        produce(500)
        wait_for(lambda: len(stored_task_ids(store)) == 500, 60, "the first 500 tasks")
        services.stop("neo4j", service_settings)
        produce(500, start=500)  # the keeper now retries with backoff, acknowledging nothing
        wait_for(lambda: keeper.stats.store_retries > 0, 30, "the keeper to retry")
        services.up(service_settings)
        wait_for(lambda: len(stored_task_ids(store)) == 1000, 120, "all 1000 tasks")
    finally:
        keeper.stop()
        thread.join(30)
    ids = stored_task_ids(store)
    assert len(ids) == len(set(ids)) == 1000
    assert edge_count(store, "WAS_GENERATED_BY", set(ids)) == 1000


def test_two_keepers_in_one_group_share_the_work(setup: tuple[Settings, Store]) -> None:
    settings, store = setup
    settings.keeper.read_count = 5  # small reads, so both keepers get entries
    settings.keeper.claim_idle_s = 120  # and neither claims the other's (it is alive)
    produce(2000)
    keepers = [Keeper(open_source(settings), open_store(settings), settings) for _ in range(2)]
    threads = [threading.Thread(target=k.run, kwargs={"until_idle": True}) for k in keepers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    ids = stored_task_ids(store)
    assert len(ids) == len(set(ids)) == 2000
    assert all(k.stats.deliveries > 0 for k in keepers)  # both took a share
    assert sum(k.stats.messages for k in keepers) == 2001  # tasks + the workflow, once each
