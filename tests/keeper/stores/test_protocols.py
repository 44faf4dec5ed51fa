"""Both stores implement each protocol of keeper/stores/protocols.py (mypy checks the
signatures through Store; this checks the classes as they run)."""

from __future__ import annotations

from pathlib import Path

import pytest

from keeper.stores.base import STORES, Store
from keeper.stores.embedded import EmbeddedStore
from keeper.stores.neo4j import Neo4jStore
from keeper.stores.protocols import PROTOCOLS, ScopedReads


@pytest.mark.parametrize("cls", [EmbeddedStore, Neo4jStore])
@pytest.mark.parametrize("protocol", [*PROTOCOLS, ScopedReads])
def test_each_store_class_has_every_protocol_method(cls: type[Store], protocol: type) -> None:
    names = [n for n in dir(protocol) if not n.startswith("_") and callable(getattr(protocol, n))]
    assert names
    for name in names:
        assert callable(getattr(cls, name, None)), f"{cls.__name__} lacks {name}"


def test_an_open_store_is_each_protocol(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path)
    assert all(isinstance(store, protocol) for protocol in (*PROTOCOLS, ScopedReads))
    store.close()


def test_the_registered_kinds_are_the_two_stores() -> None:
    assert {STORES.get("embedded"), STORES.get("neo4j")} == {EmbeddedStore, Neo4jStore}
