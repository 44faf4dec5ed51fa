"""Fixtures for PROV documents out and in: an empty store of each kind, the prov corpus."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import prov
import prov.model
import pytest

from keeper.stores.base import Store
from keeper.stores.embedded import EmbeddedStore
from keeper.stores.neo4j import Neo4jStore
from provgraph.core.config import load_settings

PROV_TESTS = Path(prov.__file__).parent / "tests"
CORPUS = sorted((PROV_TESTS / "json").glob("*.json"))
SCHEMAS = PROV_TESTS / "schemas"


def prov_read(data: bytes | str, format: str = "json", **options: str) -> prov.model.ProvDocument:
    """The prov package's reading of a document (its warnings silenced)."""
    text = data.decode() if isinstance(data, bytes) else data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return prov.model.ProvDocument.deserialize(content=text, format=format, **options)


def embedded_store(path: Path) -> EmbeddedStore:
    return EmbeddedStore(path)


@pytest.fixture(scope="session")
def neo4j_store() -> Iterator[Neo4jStore]:
    store = Neo4jStore.from_settings(load_settings())
    yield store
    store.clear()
    store.close()


@pytest.fixture(params=["embedded", pytest.param("neo4j", marks=pytest.mark.integration)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """An empty store of each kind."""
    if request.param == "embedded":
        found: Store = EmbeddedStore(tmp_path / "embedded")
        yield found
        found.close()
    else:
        neo4j: Neo4jStore = request.getfixturevalue("neo4j_store")
        neo4j.clear()
        yield neo4j
        neo4j.clear()
