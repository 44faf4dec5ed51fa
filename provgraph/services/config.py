"""The local services' settings section: ports, password, Neo4j memory, start timeout."""

from __future__ import annotations

from dataclasses import dataclass

from provgraph.core.config import section


@section("services")
@dataclass
class ServicesSettings:
    redis_port: int = 6379
    redis_password: str = ""
    neo4j_bolt_port: int = 7687
    neo4j_heap: str = "1536m"
    neo4j_pagecache: str = "512m"
    start_timeout_s: float = 180.0
