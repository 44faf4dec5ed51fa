"""Keeper test fixtures: pipelines over the embedded store (file hub) and over the real
Redis and Neo4j of ``make services``."""

from __future__ import annotations

import contextlib
import os
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from capture import recorder
from capture.settings import Settings
from keeper.stores.base import Store, open_store
from tests.conftest import make_settings

REDIS_URL = os.environ.get("PROVGRAPH_REDIS_URL", "redis://127.0.0.1:6379/0")


def wait_for(condition: Callable[[], Any], timeout: float, what: str) -> Any:
    """Poll ``condition`` until it is truthy; fail with ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.05)


def embedded_settings(data_dir: Path) -> Settings:
    return make_settings(data_dir, PROVGRAPH_HUB="file", PROVGRAPH_STORE="embedded")


def neo4j_settings(data_dir: Path, stream: str) -> Settings:
    settings = make_settings(data_dir, PROVGRAPH_HUB="redis", PROVGRAPH_STORE="neo4j",
                             PROVGRAPH_REDIS_URL=REDIS_URL, PROVGRAPH_REDIS_STREAM=stream)
    settings.hub.redis.dead_letter_stream = stream + ":dead"
    settings.hub.redis.group = "keepers-" + stream
    settings.keeper.claim_idle_s = 1.0
    settings.keeper.block_ms = 100
    return settings


@pytest.fixture
def stream() -> Iterator[str]:
    name = f"test:{uuid.uuid4().hex[:12]}"
    yield name
    client = redis.Redis.from_url(REDIS_URL)
    with contextlib.suppress(redis.RedisError):
        client.delete(name, name + ":dead")


@pytest.fixture(params=["embedded", pytest.param("neo4j", marks=pytest.mark.integration)])
def pipeline(request: pytest.FixtureRequest, tmp_path: Path, stream: str
             ) -> Iterator[tuple[Settings, Store]]:
    """Settings installed for capture, and the store a keeper writes to (emptied)."""
    if request.param == "embedded":
        settings = embedded_settings(tmp_path / "data")
    else:
        settings = neo4j_settings(tmp_path / "data", stream)
    recorder.configure(settings)
    store = open_store(settings)
    store.clear()
    yield settings, store
    recorder.configure(None)
    store.clear()
    store.close()
