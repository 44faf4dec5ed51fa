"""The one place the reports ask a store for lineage.

Today the stores' ``upstream``/``downstream`` (``keeper/stores/base.py``); a richer lineage
API can answer here later without the reports changing.
"""

from __future__ import annotations

import logging
from typing import Any

from keeper.stores.base import Store
from provgraph.core.errors import StoreError

log = logging.getLogger(__name__)

DEPTH = 10  # hops followed from a final output or a failed task
UP, DOWN = "up", "down"


def lineage(store: Store, node_id: str, direction: str, depth: int = DEPTH
            ) -> list[dict[str, Any]]:
    """The nodes ``node_id`` derives from (``up``) or that derive from it (``down``):
    ``[{id, labels, distance}]``, nearest first; ``[]`` when the store cannot answer."""
    try:
        if direction == UP:
            return store.upstream(node_id, depth)
        return store.downstream(node_id, depth)
    except StoreError as exc:  # a report says "unknown" rather than fail on one question
        log.warning("lineage of %s (%s) not available: %s", node_id, direction, exc)
        return []
