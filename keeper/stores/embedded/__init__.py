"""The embedded store: the PROV graph in memory (networkx), durable through an append-only
log; no server. :mod:`.store` (the :class:`EmbeddedStore`), :mod:`.graph` (the in-memory
graph and its merge rules), :mod:`.log` (the fsync'ed log), :mod:`.query` (filters)."""

from keeper.stores.embedded.store import EmbeddedStore

__all__ = ["EmbeddedStore"]
