"""The Neo4j store: the PROV graph in a Neo4j 5 server over Bolt. :mod:`.store` (the
:class:`Neo4jStore`: connecting, writing, user queries), :mod:`.rows` (a delta as rows
for the ``cypher/ingest`` statements), :mod:`.reads` (every read, in read sessions)."""

from keeper.stores.neo4j.store import Neo4jStore, store_error

__all__ = ["Neo4jStore", "store_error"]
