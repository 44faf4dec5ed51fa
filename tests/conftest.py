"""Shared fixtures: every test gets its own data dir and a fresh recorder."""

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
from provgraph.core.config import Settings, load_settings

# The Redis that `make services` started: the environment's, else the settings' (a
# `provgraph.yaml` may move the services to other ports).
REDIS_URL = os.environ.get("PROVGRAPH_REDIS_URL") or load_settings().hub.redis.url


def wait_for(condition: Callable[[], Any], timeout: float, what: str) -> Any:
    """Poll ``condition`` until it is truthy; fail naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.05)


def make_settings(data_dir: Path, **env: str) -> Settings:
    environ = {"PROVGRAPH_DATA_DIR": str(data_dir), **env}
    settings = load_settings(environ=environ)
    settings.buffer.flush_interval_s = 0.05
    return settings


@pytest.fixture
def settings(tmp_path: Path) -> Iterator[Settings]:
    """Settings with a private data dir, installed as the process settings."""
    resolved = make_settings(tmp_path / "data")
    recorder.configure(resolved)
    yield resolved
    recorder.configure(None)


@pytest.fixture
def stream() -> Iterator[str]:
    """A fresh Redis stream name (and its dead-letter stream), deleted afterwards."""
    name = f"test:{uuid.uuid4().hex[:12]}"
    yield name
    with contextlib.suppress(redis.RedisError):
        redis.Redis.from_url(REDIS_URL).delete(name, name + ":dead")
