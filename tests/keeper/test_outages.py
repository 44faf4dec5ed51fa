"""The keeper rides out outages and knows when it is idle, with the real Redis (killed with
SIGKILL through the project's service control, on this checkout's own port)."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
import yaml

from capture import Flowcept, flowcept_task
from keeper.loop import Keeper
from keeper.sources.base import open_source
from keeper.stores.base import Store, open_store
from provgraph.core.config import Settings, load_settings
from provgraph.services import control
from tests.conftest import wait_for
from tests.keeper.conftest import installed, neo4j_settings

pytestmark = pytest.mark.integration


@flowcept_task(output_names="y")
def square(i):
    return i * i


def redis_embedded_settings(data_dir: Path, stream: str) -> Settings:
    """Redis hub, embedded store (whose writer lock a test can hold to stall writes)."""
    settings = neo4j_settings(data_dir, stream, store="embedded")
    settings.keeper.retry_initial_s = 0.05
    settings.keeper.retry_max_s = 0.5
    settings.keeper.claim_idle_s = 2.0
    return settings


@pytest.fixture
def setup(tmp_path: Path, stream: str) -> Iterator[tuple[Settings, Store]]:
    settings = redis_embedded_settings(tmp_path / "data", stream)
    with installed(settings) as store:
        yield settings, store
    control.up(load_settings())  # whatever a failed test left, our Redis answers again


def task_ids(store: Store, workflow_id: str) -> list[str]:
    return [n["id"] for n in store.find_nodes("Task", {"workflow_id": workflow_id})]


class Running:
    """``keeper.run()`` in a thread, keeping what it raised."""

    def __init__(self, keeper: Keeper, **kwargs: Any) -> None:
        self.keeper = keeper
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, kwargs=kwargs, daemon=True)
        self.thread.start()

    def _run(self, **kwargs: Any) -> None:
        try:
            self.keeper.run(**kwargs)
        except BaseException as exc:
            self.error = exc

    def stop(self) -> None:
        self.keeper.stop()
        self.thread.join(30)


def test_redis_killed_between_the_write_and_the_ack_does_not_stop_the_keeper(
    setup: tuple[Settings, Store],
) -> None:
    settings, store = setup
    with Flowcept(workflow_id="wf-ack", start_persistence=False):
        for i in range(100):
            square(i)
    # Hold the embedded store's writer lock: the keeper reads a batch and cannot write it.
    store.close()
    lock = os.open(settings.embedded_store_dir / "writer.lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(lock, fcntl.LOCK_EX)
    running = Running(Keeper(open_source(settings), open_store(settings), settings))
    keeper = running.keeper
    try:
        wait_for(lambda: keeper.stats.store_retries > 0, 30, "a read batch waiting to be written")
        control.kill("redis", load_settings())  # Redis dies after the read, before the ack
        os.close(lock)  # the write now succeeds; the acknowledgement cannot
        wait_for(lambda: keeper.stats.writes > 0, 30, "the write")
        wait_for(lambda: running.error is not None or getattr(keeper.stats, "hub_retries", 0),
                 30, "a failed acknowledgement")
        assert running.error is None, f"the keeper stopped: {running.error!r}"
        assert running.thread.is_alive()
        control.up(load_settings())
        wait_for(lambda: len(task_ids(store, "wf-ack")) == 100, 60, "the 100 tasks")
        wait_for(lambda: open_source(settings).backlog() == 0, 30, "every entry acknowledged")
        with Flowcept(workflow_id="wf-ack-2", start_persistence=False):
            for i in range(10):
                square(i)
        wait_for(lambda: len(task_ids(store, "wf-ack-2")) == 10, 30, "the keeper to go on")
    finally:
        running.stop()
    assert running.error is None
    ids = task_ids(store, "wf-ack")
    assert len(ids) == len(set(ids)) == 100
    assert open_source(settings).dead_letters() == []


def test_a_stale_group_lag_is_not_a_backlog(setup: tuple[Settings, Store]) -> None:
    """The group's lag said 41 while the stream was empty: --until-idle waited forever."""
    settings, store = setup
    with Flowcept(workflow_id="wf-lag", start_persistence=False):
        for i in range(50):
            square(i)
    Keeper(open_source(settings), store, settings).run(until_idle=True)
    cfg = settings.hub.redis
    client = redis.Redis.from_url(cfg.url)
    [last] = client.xrevrange(cfg.stream, count=1) or [(b"0-1", {})]
    # What a restart left in the issue: entries-read behind, so lag = added - read > 0.
    added = int(client.xinfo_stream(cfg.stream)["entries-added"])
    client.execute_command("XGROUP", "SETID", cfg.stream, cfg.group, last[0],
                           "ENTRIESREAD", 0)
    [group] = [g for g in client.xinfo_groups(cfg.stream) if g["name"].decode() == cfg.group]
    assert group["lag"] == added > 0 and group["pending"] == 0
    assert client.xlen(cfg.stream) == 0
    source = open_source(settings)
    assert source.backlog() == 0
    running = Running(Keeper(source, store, settings), until_idle=True)
    running.thread.join(20)
    assert not running.thread.is_alive(), "--until-idle did not see that nothing was left"
    assert running.error is None


def test_until_idle_says_it_waits_for_entries_pending_with_a_dead_keeper(
    setup: tuple[Settings, Store], tmp_path: Path
) -> None:
    settings, store = setup
    with Flowcept(workflow_id="wf-pending", start_persistence=False):
        for i in range(20):
            square(i)
    cfg = settings.hub.redis
    dead = open_source(settings)
    assert dead.read(100, 100)  # read and never acknowledged: a keeper that died
    config = tmp_path / "keeper.yaml"
    config.write_text(yaml.safe_dump({
        "data_dir": settings.data_dir,
        "hub": {"kind": "redis", "redis": {"url": cfg.url, "stream": cfg.stream,
                                           "group": cfg.group,
                                           "dead_letter_stream": cfg.dead_letter_stream}},
        "store": {"kind": "embedded"},
        "keeper": {"claim_idle_s": 3.0, "block_ms": 100, "progress_interval_s": 0.2},
    }))
    env = {**os.environ, "PROVGRAPH_SETTINGS": str(config)}
    for var in ("PROVGRAPH_HUB", "PROVGRAPH_STORE", "PROVGRAPH_REDIS_STREAM"):
        env.pop(var, None)
    store.close()  # the keeper process becomes the writer
    done = subprocess.run([sys.executable, "-m", "provgraph.cli", "keeper", "run",
                           "--until-idle"], env=env, capture_output=True, timeout=120)
    err = done.stderr.decode()
    assert done.returncode == 0, err
    assert "waiting for " in err and "entries pending with " in err, err
    assert "keeper.claim_idle_s" in err
    assert "stored 21 messages" in done.stdout.decode()  # 20 tasks and the workflow
    assert len(task_ids(store, "wf-pending")) == 20
