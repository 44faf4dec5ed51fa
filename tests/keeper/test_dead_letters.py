"""What the store would reject never takes its neighbours along: a rejected message goes
to the dead letters alone, and values too large to index are refused (or hashed) at
mapping time with a clear reason."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import neo4j
import orjson
import pytest
import redis

from capture import Flowcept, flowcept_task
from keeper.loop import Keeper
from keeper.sources.base import open_source
from keeper.stores.base import Store
from provgraph.core.config import Settings
from provgraph.core.wire import FIELD_PAYLOAD
from tests.keeper.conftest import installed, neo4j_settings


def send_raw(settings: Settings, messages: list[dict[str, Any]]) -> None:
    """The messages as ONE hub delivery where the hub has such (a Redis entry); the file
    hub has one message per line."""
    if settings.hub.kind == "redis":
        client = redis.Redis.from_url(settings.hub.redis.url)
        client.xadd(settings.hub.redis.stream, {FIELD_PAYLOAD: orjson.dumps(messages)})
        return
    settings.buffer_file.parent.mkdir(parents=True, exist_ok=True)
    with open(settings.buffer_file, "ab") as handle:
        handle.write(b"".join(orjson.dumps(m) + b"\n" for m in messages))


def good(i: int) -> dict[str, Any]:
    return {"type": "task", "task_id": f"good-{i}", "workflow_id": "wf-dl",
            "status": "FINISHED", "used": {"i": i}}


def test_an_id_too_large_to_index_goes_alone_to_the_dead_letters(
    pipeline: tuple[Settings, Store],
) -> None:
    settings, store = pipeline
    huge = {**good(1), "task_id": "t" * 100_000}
    send_raw(settings, [good(0), huge, good(2)])
    source = open_source(settings)
    Keeper(source, store, settings).run(until_idle=True)
    assert sorted(n["id"] for n in store.find_nodes("Task", {"workflow_id": "wf-dl"})) == [
        "good-0", "good-2"]
    [letter] = source.dead_letters()
    assert "field 'task_id' is 100000 bytes" in str(letter["reason"])
    source.close()


@flowcept_task
def returns(i):
    return {"k" * 10_000: 1} if i == 7 else {"v": i}


def test_a_result_with_a_huge_key_is_stored_with_its_neighbours(
    pipeline: tuple[Settings, Store],
) -> None:
    settings, store = pipeline
    with Flowcept(workflow_name="huge-key", start_persistence=False):
        for i in range(20):
            returns(i)
        workflow_id = Flowcept.current_workflow_id
    source = open_source(settings)
    Keeper(source, store, settings).run(until_idle=True)
    tasks = store.find_nodes("Task", {"workflow_id": workflow_id})
    assert len(tasks) == 20
    assert store.get_node(workflow_id) is not None
    assert source.dead_letters() == []
    [seventh] = [t for t in tasks if '"v"' not in str(t["props"].get("generated_json"))]
    roles = [e["props"]["role"] for e in store.edges(seventh["id"], direction="in")
             if e["type"] == "WAS_GENERATED_BY"]
    assert roles == ["k" * 10_000]
    source.close()


@pytest.fixture
def neo4j_pipeline(tmp_path: Path, stream: str) -> Iterator[tuple[Settings, Store]]:
    settings = neo4j_settings(tmp_path / "data", stream)
    with installed(settings) as store:
        yield settings, store


@pytest.mark.integration
def test_a_message_neo4j_rejects_goes_alone_to_the_dead_letters(
    neo4j_pipeline: tuple[Settings, Store],
) -> None:
    """A real rejection no mapping rule foresees: a uniqueness constraint the test adds."""
    settings, store = neo4j_pipeline
    cfg = settings.store.neo4j
    constraint = "test_unique_group_" + settings.hub.redis.stream.replace(":", "_")
    with neo4j.GraphDatabase.driver(cfg.uri, auth=(cfg.user, cfg.password)) as driver:
        driver.execute_query(f"CREATE CONSTRAINT {constraint} FOR (n:Task) "
                             "REQUIRE n.group_id IS UNIQUE")
        try:
            send_raw(settings, [{**good(100), "group_id": "taken"}])
            batch = [good(i) for i in range(30)]
            batch[13] = {**batch[13], "group_id": "taken"}  # violates the constraint
            send_raw(settings, batch)
            source = open_source(settings)
            Keeper(source, store, settings).run(until_idle=True)
        finally:
            driver.execute_query(f"DROP CONSTRAINT {constraint} IF EXISTS")
    stored = {n["id"] for n in store.find_nodes("Task", {"workflow_id": "wf-dl"})}
    assert stored == {f"good-{i}" for i in (*range(30), 100)} - {"good-13"}
    [letter] = source.dead_letters()
    assert "the store rejected it" in str(letter["reason"])
    assert "ConstraintValidationFailed" in str(letter["reason"])
    assert orjson.loads(letter["payload"])["task_id"] == "good-13"  # the message, alone
    assert str(letter["origin"]).endswith("message 14 of 30")
    source.close()
