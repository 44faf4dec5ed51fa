"""Completeness, on the real Redis Cluster and Neo4j: a stream entry deleted before any
keeper read it is named by ``provgraph verify``, exactly, and nothing else is."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from capture import Flowcept, flowcept_task, recorder
from keeper.ledger import open_ledger, verify
from keeper.loop import Keeper
from keeper.sources.base import open_source
from keeper.stores.base import open_store
from provgraph.core.config import Settings, load_settings
from provgraph.core.shards import shard_of, shard_stream, shard_tags
from provgraph.core.wire import FIELD_BATCH, parse_batch_id
from provgraph.services import redis_cluster as cluster_service
from tests.keeper.conftest import installed, neo4j_settings

pytestmark = pytest.mark.integration

CLUSTER_URL = "redis://127.0.0.1:7000"


@pytest.fixture(scope="session")
def cluster() -> str:
    """The local Redis Cluster of ``provgraph services up --redis-cluster``."""
    cluster_service.up(load_settings(), echo=lambda line: None)
    return CLUSTER_URL


def cluster_settings(data_dir: Path, url: str) -> Settings:
    stream = f"test:{uuid.uuid4().hex[:12]}"
    settings = neo4j_settings(data_dir, stream)
    settings.hub.redis.url = url
    settings.hub.redis.cluster = True
    settings.hub.redis.shards = 3
    settings.buffer.max_batch = 10
    return settings


@pytest.fixture
def on_cluster(tmp_path: Path, cluster: str) -> Iterator[Settings]:
    settings = cluster_settings(tmp_path / "data", cluster)
    with installed(settings):
        yield settings
    client = redis.RedisCluster.from_url(cluster)
    for tag in shard_tags(3):
        client.delete(shard_stream(settings.hub.redis.stream, tag),
                      shard_stream(settings.hub.redis.dead_letter_stream, tag))
    client.close()


def test_verify_names_exactly_the_deleted_entry(on_cluster: Settings, tmp_path: Path) -> None:
    settings = on_cluster

    @flowcept_task
    def step(i):
        return i

    # one workflow per shard (a workflow's batches go to the shard of its id)
    run = uuid.uuid4().hex[:6]
    by_shard: dict[int, str] = {}
    for n in range(1000):
        by_shard.setdefault(shard_of(f"verify-wf-{n}-{run}", 3), f"verify-wf-{n}-{run}")
        if len(by_shard) == 3:
            break
    for workflow_id in by_shard.values():
        with Flowcept(workflow_id=workflow_id, start_persistence=False):
            for i in range(50):
                step(i)
    recorder.configure(None)  # closes the hub: each producer_end is sent

    client = redis.RedisCluster.from_url(settings.hub.redis.url)
    streams = [shard_stream(settings.hub.redis.stream, t) for t in shard_tags(3)]
    entries = [(s, e, f) for s in streams for e, f in client.xrange(s)]
    assert len({s for s, _, _ in entries}) >= 2, "the workflows should spread over shards"
    stream, victim, fields = next((s, e, f) for s, e, f in entries
                                  if b'"type":"task"' in f[b"p"])
    client.xdel(stream, victim)  # lost before any keeper read it
    client.close()
    producer, seq = parse_batch_id(fields[FIELD_BATCH].decode()) or ("", 0)

    Keeper(open_source(settings), store := open_store(settings), settings).run(until_idle=True)
    answer = verify(open_ledger(settings, store))
    assert not answer.complete
    gaps = {(p.producer, gap) for p in answer.producers for gap in p.gaps}
    assert gaps == {(producer, (seq, seq))}
    assert answer.totals()["dead_letters"] == answer.totals()["duplicates"] == 0
    assert f"{producer} batches {seq}" in answer.line()
    store.close()

    config = tmp_path / "verify.yaml"
    hub = settings.hub.redis
    neo = settings.store.neo4j
    config.write_text(
        f"data_dir: {tmp_path / 'verify'}\nhub: {{kind: redis, redis: {{url: '{hub.url}', "
        f"cluster: true, stream: '{hub.stream}'}}}}\nstore: {{kind: neo4j, neo4j: "
        f"{{uri: '{neo.uri}', user: '{neo.user}', password: '{neo.password}'}}}}\n")
    result = subprocess.run([sys.executable, "-m", "provgraph.cli", "verify", "--all"],
                            env={"PROVGRAPH_SETTINGS": str(config), "PATH": "/usr/bin:/bin"},
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stderr
    assert f"{producer} batches {seq}" in result.stdout
