"""The keeper loop over the file hub and the embedded store: a batch the store rejects is
split until the one bad delivery goes to the dead letters; a store that is down is
retried without acknowledging anything."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from keeper.loop import Keeper
from keeper.sources.file_tail import FileTailSource
from keeper.stores.base import open_store
from keeper.stores.embedded import EmbeddedStore
from provgraph.core.config import Settings
from provgraph.core.errors import StoreError, StoreUnavailableError
from tests.keeper.conftest import embedded_settings


class Picky:
    """The real embedded store, refusing some writes (the only thing not real here)."""

    def __init__(self, store: Any, reject_id: str | None = None, down_for: int = 0) -> None:
        self.store = store
        self.reject_id = reject_id
        self.down_for = down_for

    def write(self, delta: Any) -> None:
        if self.down_for:
            self.down_for -= 1
            raise StoreUnavailableError("store restarting")
        if any(node.id == self.reject_id for node in delta.nodes):
            raise StoreError(f"value of {self.reject_id} not storable")
        self.store.write(delta)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[tuple[Settings, Any]]:
    settings = embedded_settings(tmp_path / "data")
    settings.keeper.retry_initial_s = 0.01
    store = open_store(settings)
    yield settings, store
    EmbeddedStore.evict()


def write_lines(settings: Settings, ids: list[str]) -> None:
    settings.buffer_file.parent.mkdir(parents=True, exist_ok=True)
    lines = [orjson.dumps({"type": "task", "task_id": i, "workflow_id": "wf"}) for i in ids]
    settings.buffer_file.write_bytes(b"\n".join(lines) + b"\n")


def test_a_rejected_delivery_goes_to_dead_letters_alone(setup: tuple[Settings, Any]) -> None:
    settings, store = setup
    ids = ["t0", "t1", "t2", "poison", "t4", "t5"]
    write_lines(settings, ids)
    source = FileTailSource.from_settings(settings)
    keeper = Keeper(source, Picky(store, reject_id="poison"), settings)  # type: ignore[arg-type]
    keeper.run(until_idle=True)
    assert sorted(n["id"] for n in store.find_nodes("Task")) == ["t0", "t1", "t2", "t4", "t5"]
    [letter] = source.dead_letters()
    assert "not storable" in letter["reason"] and "poison" in letter["payload"]
    assert source.backlog() == 0  # everything acknowledged


def test_a_store_that_is_down_is_retried_and_nothing_is_lost(setup: tuple[Settings, Any]) -> None:
    settings, store = setup
    write_lines(settings, ["a", "b", "c"])
    source = FileTailSource.from_settings(settings)
    keeper = Keeper(source, Picky(store, down_for=3), settings)  # type: ignore[arg-type]
    keeper.run(until_idle=True)
    assert keeper.stats.store_retries == 3
    assert sorted(n["id"] for n in store.find_nodes("Task")) == ["a", "b", "c"]
    assert source.dead_letters() == []


def test_stop_while_the_store_is_down_acknowledges_nothing(setup: tuple[Settings, Any]) -> None:
    settings, store = setup
    write_lines(settings, ["x"])
    source = FileTailSource.from_settings(settings)
    picky = Picky(store, down_for=10**6)
    keeper = Keeper(source, picky, settings)  # type: ignore[arg-type]
    keeper.stop_event.set()  # as if SIGTERM came during the outage
    keeper.step()
    assert source.backlog() and store.find_nodes("Task") == []
    picky.down_for = 0
    Keeper(FileTailSource.from_settings(settings), picky, settings).run(  # type: ignore[arg-type]
        until_idle=True)
    assert [n["id"] for n in store.find_nodes("Task")] == ["x"]
