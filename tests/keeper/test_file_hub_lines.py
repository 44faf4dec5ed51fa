"""The file hub end to end (capture -> buffer.jsonl -> keeper -> embedded store): no line
holds the keeper. Over-long lines and torn tails go to the dead letters, a producer after
a torn line starts on a new line, and large captured values are summarized."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from capture import Flowcept, flowcept_task
from keeper.loop import Keeper
from keeper.sources.file_tail import FileTailSource
from keeper.stores.base import Store
from provgraph.core.config import Settings
from tests.keeper.conftest import embedded_settings, installed


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[tuple[Settings, Store]]:
    settings = embedded_settings(tmp_path / "data")
    settings.keeper.torn_line_s = 0.5
    settings.keeper.block_ms = 50
    with installed(settings) as store:
        yield settings, store


def task(task_id: str, padding: int = 0) -> bytes:
    used = {"blob": "p" * padding} if padding else {"i": 1}
    return orjson.dumps({"type": "task", "task_id": task_id, "workflow_id": "wf-lines",
                         "status": "FINISHED", "used": used}) + b"\n"


def write(settings: Settings, data: bytes) -> None:
    settings.buffer_file.parent.mkdir(parents=True, exist_ok=True)
    with open(settings.buffer_file, "ab") as handle:
        handle.write(data)


def run_until_idle(keeper: Keeper, timeout: float = 30.0) -> None:
    """``run(until_idle=True)``, failing (and stopping it) if it is not idle in time."""
    thread = threading.Thread(target=keeper.run, kwargs={"until_idle": True}, daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        keeper.stop()
        thread.join(10)
        raise AssertionError(f"keeper run --until-idle still running after {timeout}s "
                             f"(backlog {keeper.source.backlog()})")


def stored(store: Store) -> list[str]:
    return sorted(n["id"] for n in store.find_nodes("Task", {"workflow_id": "wf-lines"}))


def test_a_line_above_max_line_bytes_goes_to_the_dead_letters(
    setup: tuple[Settings, Store],
) -> None:
    settings, store = setup
    assert settings.keeper.max_line_bytes == 16 * 1024 * 1024  # the default
    write(settings, task("before") + task("huge", 20 * 1024 * 1024) + task("mid", 10_000_000)
          + task("after"))
    source = FileTailSource.from_settings(settings)
    run_until_idle(Keeper(source, store, settings))
    assert stored(store) == ["after", "before", "mid"]  # mid: 10 MB, longer than a read
    [letter] = source.dead_letters()
    assert "longer than keeper.max_line_bytes (16777216)" in letter["reason"]
    assert source.backlog() == 0


def test_until_idle_ends_after_a_torn_last_line(setup: tuple[Settings, Store]) -> None:
    settings, store = setup
    torn = task("torn", 100)[:142]
    write(settings, task("a") + task("b") + task("c") + torn)
    source = FileTailSource.from_settings(settings)
    run_until_idle(Keeper(source, store, settings))
    assert stored(store) == ["a", "b", "c"]
    [letter] = source.dead_letters()
    assert "incomplete last line of 142 bytes" in letter["reason"]
    assert letter["payload"] == torn.decode()


def test_the_next_producer_after_a_torn_line_is_stored_whole(
    setup: tuple[Settings, Store],
) -> None:
    settings, _store = setup
    torn = task("torn-by-a-dead-producer", 100)[:90]
    write(settings, task("a") + torn)

    @flowcept_task
    def after(x):
        return x

    with Flowcept(workflow_name="after-torn", delete_buffer_file=False):
        after(1)
        workflow_id = Flowcept.current_workflow_id
    data = settings.buffer_file.read_bytes()
    assert torn + b"\n" in data  # the torn line stays alone
    workflow = Flowcept.db.get_workflow(workflow_id)
    assert workflow is not None and workflow["name"] == "after-torn"
    assert [t["activity_id"] for t in Flowcept.db.get_tasks_from_current_workflow()] == ["after"]
    letters = FileTailSource.from_settings(settings).dead_letters()
    assert [letter["payload"] for letter in letters] == [torn.decode()]
    assert len(Flowcept.read_buffer_file()) >= 3  # the torn line is skipped, not fatal


@flowcept_task
def takes(i, blob):
    return i


def test_tasks_with_a_10_mb_argument_are_stored(setup: tuple[Settings, Store]) -> None:
    settings, _store = setup
    blob = "b" * (10 * 1024 * 1024)
    with Flowcept(workflow_name="big-arguments"):
        for i in range(5):
            takes(i, blob)
    tasks = Flowcept.db.get_tasks_from_current_workflow()
    assert len(tasks) == 5
    summaries = {t["used"]["blob"]["sha256"] for t in tasks}
    assert len(summaries) == 1  # the same value, the same summary (and the same entity)
    assert settings.buffer_file.stat().st_size < 100_000
