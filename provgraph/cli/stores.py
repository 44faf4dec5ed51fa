"""Which store a command reads, said in its messages; reading never creates a store."""

from __future__ import annotations

from typing import TYPE_CHECKING

from provgraph.core.config import Settings
from provgraph.core.errors import NotFoundError

if TYPE_CHECKING:
    from keeper.stores.base import Store


def describe(settings: Settings) -> str:
    """``the embedded store at ./provgraph-data/embedded`` (or the Neo4j server)."""
    if settings.store.kind == "neo4j":
        return f"the neo4j store at {settings.store.neo4j.uri}"
    if settings.store.kind == "embedded":
        return f"the embedded store at {settings.embedded_store_dir}"
    return f"the {settings.store.kind} store"


def check_readable(settings: Settings) -> None:
    """Raise :class:`NotFoundError` naming the place when there is no embedded store
    there: a read must not create an empty one (and answer "not found" about it)."""
    if settings.store.kind == "embedded" and not settings.embedded_store_dir.exists():
        raise NotFoundError(
            f"no embedded store at {settings.embedded_store_dir}: nothing was kept here "
            "yet (set PROVGRAPH_DATA_DIR to the data dir of a run, or PROVGRAPH_STORE=neo4j)")


def open_for_reading(settings: Settings) -> Store:
    """The configured store, for a command that only reads it."""
    from keeper.stores.base import open_store

    check_readable(settings)
    return open_store(settings)
