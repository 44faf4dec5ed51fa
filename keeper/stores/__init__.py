"""Stores of the PROV graph, chosen by ``store.kind``: :mod:`.embedded` (the default, one
directory on this machine) and :mod:`.neo4j`, behind :class:`.base.Store`; :mod:`.config`
holds their settings, :mod:`.lineage` the read primitives every lineage answer uses.
"""
