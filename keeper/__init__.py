"""keeper: consumes the hub and keeps the PROV graph, exactly once, and answers from it.

:mod:`.loop` (the keeper loop and its guarantees), :mod:`.sources` (reading each hub:
the file tail, the Redis consumer group), :mod:`.stores` (the embedded store and Neo4j
behind one interface), :mod:`.lineage` (the lineage answers), :mod:`.query` (the query
API behind ``Flowcept.db``), :mod:`.inprocess` (a keeper in a thread of the capturing
process) and :mod:`.provider` (how capture finds all of that without importing it).
"""
