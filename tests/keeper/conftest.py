"""Keeper test fixtures: pipelines over the embedded store (file hub) and over the real
Redis and Neo4j of ``make services``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from capture import recorder
from keeper.stores.base import Store, open_store
from provgraph.core.config import Settings
from tests.conftest import REDIS_URL, make_settings


def embedded_settings(data_dir: Path) -> Settings:
    return make_settings(data_dir, PROVGRAPH_HUB="file", PROVGRAPH_STORE="embedded")


def neo4j_settings(data_dir: Path, stream: str, store: str = "neo4j") -> Settings:
    """The Redis hub on a test's own stream and group, and the ``store`` (Neo4j)."""
    settings = make_settings(data_dir, PROVGRAPH_HUB="redis", PROVGRAPH_STORE=store,
                             PROVGRAPH_REDIS_URL=REDIS_URL, PROVGRAPH_REDIS_STREAM=stream)
    settings.hub.redis.dead_letter_stream = stream + ":dead"
    settings.hub.redis.group = "keepers-" + stream
    settings.keeper.claim_idle_s = 1.0
    settings.keeper.block_ms = 100
    return settings


@pytest.fixture(params=["embedded", pytest.param("neo4j", marks=pytest.mark.integration)])
def pipeline(request: pytest.FixtureRequest, tmp_path: Path, stream: str
             ) -> Iterator[tuple[Settings, Store]]:
    """Settings installed for capture, and the store a keeper writes to (emptied)."""
    if request.param == "embedded":
        settings = embedded_settings(tmp_path / "data")
    else:
        settings = neo4j_settings(tmp_path / "data", stream)
    with installed(settings) as store:
        yield settings, store


@contextmanager
def installed(settings: Settings) -> Iterator[Store]:
    """``settings`` installed for capture, and their store, emptied before and after."""
    recorder.configure(settings)
    store = open_store(settings)
    store.clear()
    try:
        yield store
    finally:
        recorder.configure(None)
        store.clear()
        store.close()
