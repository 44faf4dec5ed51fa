"""The real Redis and Neo4j that ``make services`` starts (`provgraph services up`).

These tests start nothing: run ``make services`` (or ``provgraph services up``) first.
The one exception is the idempotency test, which calls ``up`` again and expects a fast no-op.
"""

from __future__ import annotations

import time
import uuid

import pytest
import redis
from neo4j import GraphDatabase
from neo4j.exceptions import AuthError

from provgraph.core.config import Settings, get_settings
from provgraph.services import control as services

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def settings() -> Settings:
    return get_settings()


@pytest.fixture(scope="module")
def bolt_uri(settings: Settings) -> str:
    return f"bolt://{services.HOST}:{settings.services.neo4j_bolt_port}"


MAIN = ("redis", "neo4j")  # the services `make services` starts

def test_redis_answers_ping_and_round_trips_a_key(settings: Settings) -> None:
    client = redis.Redis(
        host=services.HOST,
        port=settings.services.redis_port,
        password=settings.services.redis_password or None,
    )
    key = f"provgraph:test:{uuid.uuid4().hex}"
    try:
        assert client.ping() is True
        client.set(key, "value", ex=60)
        assert client.get(key) == b"value"
    finally:
        client.delete(key)
        client.close()


def test_neo4j_answers_with_the_configured_password(settings: Settings, bolt_uri: str) -> None:
    auth = (settings.store.neo4j.user, settings.store.neo4j.password)
    with GraphDatabase.driver(bolt_uri, auth=auth) as driver:
        records, _, _ = driver.execute_query("RETURN 1 AS one")
    assert records[0]["one"] == 1


def test_neo4j_rejects_a_wrong_password(settings: Settings, bolt_uri: str) -> None:
    auth = (settings.store.neo4j.user, settings.store.neo4j.password + "-wrong")
    with GraphDatabase.driver(bolt_uri, auth=auth) as driver, pytest.raises(AuthError):
        driver.verify_connectivity()


def test_status_reports_both_running(settings: Settings) -> None:
    lines: list[str] = []
    statuses = services.status(settings, lines.append)
    # (a local Redis Cluster, when one was started under the data dir, is listed too)
    assert {item.name: item.running for item in statuses
            if item.name in MAIN} == {"redis": True, "neo4j": True}
    assert all(not item.problem for item in statuses)
    for line, item in zip(lines, statuses, strict=True):
        assert "running" in line and str(item.log) in line


def test_up_again_is_a_fast_no_op(settings: Settings) -> None:
    before = {item.name: item.pid for item in services.status(settings, lambda _: None)
              if item.name in MAIN}
    lines: list[str] = []
    started = time.monotonic()
    after = services.up(settings, lines.append)
    elapsed = time.monotonic() - started
    assert elapsed < 10.0, f"a second up took {elapsed:.1f}s"
    assert {item.name: item.pid for item in after if item.name in MAIN} == before
    assert all(line.split(": ", 1)[1].startswith("already running") for line in lines), lines
