"""The Redis hub against the real Redis of ``make services``: many producers, an outage
in the middle of a run, a blocked server; and the spool on its own."""

from __future__ import annotations

import multiprocessing
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
import redis

from capture import Flowcept, flowcept_task, recorder
from capture.hubs.redis_stream import RedisHub, decode_entry
from capture.serialize import dumps
from provgraph.core.config import Settings, load_settings
from tests.conftest import REDIS_URL, make_settings, wait_for


def stream_messages(client: redis.Redis, stream: str) -> list[dict[str, Any]]:
    """The messages in ``stream``, without the hubs' ``producer_end`` control messages."""
    messages: list[dict[str, Any]] = []
    for _, fields in client.xrange(stream):
        messages.extend(m for m in decode_entry(fields)
                        if not (m.get("type") == "control" and m.get("event") == "producer_end"))
    return messages


def redis_settings(data_dir: Path, stream: str) -> Settings:
    settings = make_settings(data_dir, PROVGRAPH_HUB="redis", PROVGRAPH_REDIS_URL=REDIS_URL,
                             PROVGRAPH_REDIS_STREAM=stream)
    settings.hub.redis.retry_interval_s = 0.2
    settings.hub.redis.socket_timeout_s = 1.0
    settings.buffer.max_batch = 100
    return settings


def _producer(data_dir: str, stream: str, workflow_id: str, worker: int, count: int) -> None:
    recorder.configure(redis_settings(Path(data_dir), stream))

    @flowcept_task(output_names="y")
    def work(worker, i):
        return worker * 100_000 + i

    with Flowcept(workflow_id=workflow_id, campaign_id="campaign-1",
                  start_persistence=False, save_workflow=False):
        for i in range(count):
            work(worker, i)
    recorder.configure(None)


@pytest.mark.integration
def test_many_producer_processes(tmp_path: Path, stream: str) -> None:
    workflow_id, workers, count = str(uuid.uuid4()), 4, 2000
    context = multiprocessing.get_context("spawn")
    procs = [context.Process(target=_producer,
                             args=(str(tmp_path / f"p{w}"), stream, workflow_id, w, count))
             for w in range(workers)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(120)
        assert proc.exitcode == 0
    messages = stream_messages(redis.Redis.from_url(REDIS_URL), stream)
    assert len(messages) == workers * count
    seen = sorted((m["used"]["worker"], m["used"]["i"]) for m in messages)
    assert seen == [(w, i) for w in range(workers) for i in range(count)]
    assert {m["workflow_id"] for m in messages} == {workflow_id}
    assert {m["campaign_id"] for m in messages} == {"campaign-1"}
    assert all(m["generated"]["y"] == m["used"]["worker"] * 100_000 + m["used"]["i"]
               for m in messages)
    assert len({m["task_id"] for m in messages}) == workers * count


@pytest.mark.integration
def test_redis_outage_mid_run_loses_and_duplicates_nothing(tmp_path: Path, stream: str) -> None:
    from provgraph.services import redis_server

    service_settings = load_settings()  # the settings `make services` used
    client = redis.Redis.from_url(REDIS_URL)
    settings = redis_settings(tmp_path / "data", stream)
    recorder.configure(settings)

    @flowcept_task
    def step(i):
        return i

    total = 3000
    with Flowcept(workflow_name="outage", start_persistence=False):
        for i in range(1000):
            step(i)
        recorder.flush()
        client.shutdown(nosave=False)  # a real stop of the server, mid-run
        for i in range(1000, 2000):
            step(i)  # must neither raise nor block on retries
        recorder.flush()
        assert RedisHub.from_settings(settings).spool.count() > 0
        redis_server.up(service_settings, echo=lambda line: None)
        for i in range(2000, total):
            step(i)
        recorder.flush()
    recorder.configure(None)  # closing the hub replays what is left
    messages = stream_messages(client, stream)
    assert sorted(m["used"]["i"] for m in messages if m["type"] == "task") == list(range(total))
    assert RedisHub.from_settings(settings).spool.count() == 0


@pytest.mark.integration
def test_blocked_redis_keeps_producer_memory_bounded(tmp_path: Path, stream: str) -> None:
    client = redis.Redis.from_url(REDIS_URL)
    settings = redis_settings(tmp_path / "data", stream)
    settings.buffer.max_queue = 500
    hub_recorder = recorder.configure(settings)
    assert hub_recorder is not None

    @flowcept_task
    def step(i):
        return i

    peak = 0
    with Flowcept(workflow_name="blocked", start_persistence=False):
        client.client_pause(3000, all=True)  # every client blocks for 3 s
        started = time.monotonic()
        for i in range(5000):
            step(i)
            peak = max(peak, hub_recorder.buffer.pending())
        elapsed = time.monotonic() - started
        recorder.flush()
    recorder.configure(None)  # may still find Redis paused: the spool file then stays
    client.client_unpause()
    assert peak <= 500
    assert elapsed < 30
    RedisHub.from_settings(settings).replay()  # what `provgraph replay` does
    wait_for(lambda: len(stream_messages(client, stream)) >= 5001, 30, "all messages")
    messages = stream_messages(client, stream)
    assert sorted(m["used"]["i"] for m in messages if m["type"] == "task") == list(range(5000))


def test_unreachable_redis_spools_everything_in_order(tmp_path: Path) -> None:
    hub = RedisHub("redis://127.0.0.1:1/0", "unused", tmp_path / "spool",
                   connect_timeout_s=0.2, retry_interval_s=60)
    started = time.monotonic()
    for n in range(50):
        hub.emit([dumps({"type": "task", "task_id": f"t{n}"})])
    assert time.monotonic() - started < 5  # no retry per batch while it is down
    assert hub.spool.count() == 50
    assert hub.alive() is False
    files = list((tmp_path / "spool").glob("*.spool"))
    assert len(files) == 1
    lines = files[0].read_bytes().splitlines()
    assert [line.split(b"\t", 1)[1] for line in lines][:2] == [
        b'[{"type":"task","task_id":"t0"}]', b'[{"type":"task","task_id":"t1"}]']


@pytest.mark.integration
def test_replay_sends_orphaned_spools_once(tmp_path: Path, stream: str) -> None:
    dead = RedisHub("redis://127.0.0.1:1/0", stream, tmp_path / "spool",
                    connect_timeout_s=0.2, retry_interval_s=60)
    for n in range(10):
        dead.emit([dumps({"type": "task", "task_id": f"t{n}"})])
    dead.spool.close()  # the producer is gone; its spool file stays
    live = RedisHub(REDIS_URL, stream, tmp_path / "spool")
    assert live.replay() == 10
    assert live.replay() == 0
    client = redis.Redis.from_url(REDIS_URL)
    assert [m["task_id"] for m in stream_messages(client, stream)] == [f"t{n}" for n in range(10)]
    live.close()
