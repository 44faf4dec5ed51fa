"""The local Redis and Neo4j servers (``provgraph services up|down|status``).

:mod:`.control` (up, down, status), :mod:`.redis_server` (Redis from the system
packages), :mod:`.neo4j_server` (Neo4j Community, built with Maven from the project in
``neo4j/``, which ships as package data), :mod:`.common` (pid files, stopping, apt),
:mod:`.config` (the ``services`` settings section). Nothing here is on the data path.
"""
