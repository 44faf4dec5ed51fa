"""OpenLineage run events into a store, through the keeper's mapping and write.

Each chunk of events is mapped as the keeper maps what it reads from a hub
(``prov_model.map_batch`` over ``openlineage`` wire messages) and written by the store's
``write`` (one transaction per chunk), so an import is exactly once as a keeper's write is:
importing the same file twice changes nothing, and the events of one run merge in any
order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from prov_model import map_batch
from prov_model.config import EntitySettings
from provgraph.core import wire

if TYPE_CHECKING:
    from keeper.stores.base import Store

DEFAULT_CHUNK = 2000


@dataclass
class EventImport:
    """What an import wrote: events, and the nodes and edges of their deltas."""

    events: int = 0
    nodes: int = 0
    edges: int = 0


def import_events(store: Store, events: Iterable[Mapping[str, Any]],
                  entities: EntitySettings | None = None, chunk: int = DEFAULT_CHUNK,
                  progress: Callable[[int], None] | None = None) -> EventImport:
    """Write ``events`` (already checked: :func:`exports.openlineage.reader.read_events`)."""
    result = EventImport()
    batch: list[dict[str, Any]] = []

    def flush() -> None:
        delta = map_batch(batch, entities)
        if delta:
            store.write(delta)
        result.nodes += len(delta.nodes)
        result.edges += len(delta.edges)
        result.events += len(batch)
        if progress is not None:
            progress(len(batch))
        batch.clear()

    for event in events:
        batch.append(wire.openlineage_message(event))
        if len(batch) >= chunk:
            flush()
    if batch:
        flush()
    return result
