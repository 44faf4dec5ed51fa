"""The embedded store: the PROV graph in one SQLite database (WAL); no server.
:mod:`.store` (the :class:`EmbeddedStore`), :mod:`.db` (the file, its schema and the
writer lock), :mod:`.write` (one write as one transaction), :mod:`.rules` (the merge
rules), :mod:`.lineage` and :mod:`.prov` (indexed reads), :mod:`.query` (filters),
:mod:`.legacy` (converting a store of the earlier log format)."""

from keeper.stores.embedded.store import EmbeddedStore

__all__ = ["EmbeddedStore"]
