"""Lineage: bounded walks, shortest paths, workflow DAGs, failures and their impact,
campaign overviews, values shared across workflows — the same answers from every store.

:mod:`.api` (the answers, free functions over a store, and :class:`LineageQueries`, the
lineage half of ``Flowcept.db``), :mod:`.walk` (the bounded breadth-first walk and the
bidirectional shortest path over a store's one-hop step), :mod:`.dag` (topological order).
"""

from keeper.lineage.api import LineageQueries
from keeper.lineage.walk import DEFAULT_DEPTH, DEFAULT_LIMIT, MAX_DEPTH, Lineage

__all__ = ["DEFAULT_DEPTH", "DEFAULT_LIMIT", "MAX_DEPTH", "Lineage", "LineageQueries"]
