"""The one place the reports ask a store for lineage.

The one lineage engine (:func:`keeper.lineage.around.nearest`), as every other lineage
question is answered.
"""

from __future__ import annotations

import logging

from keeper.lineage.around import nearest
from keeper.stores.base import Store, check_depth
from keeper.stores.records import LineageHit
from provgraph.core.errors import StoreError

log = logging.getLogger(__name__)

DEPTH = 10  # hops followed from a final output or a failed task
UP, DOWN = "up", "down"


def lineage(store: Store, node_id: str, direction: str, depth: int = DEPTH
            ) -> list[LineageHit]:
    """The nodes ``node_id`` derives from (``up``) or that derive from it (``down``):
    ``[{id, labels, distance}]``, nearest first; ``[]`` when the store cannot answer."""
    try:
        return nearest(store, node_id, "upstream" if direction == UP else "downstream",
                       check_depth(depth))
    except StoreError as exc:  # a report says "unknown" rather than fail on one question
        log.warning("lineage of %s (%s) not available: %s", node_id, direction, exc)
        return []
