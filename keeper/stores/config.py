"""The stores' settings sections: which store, and each store's own section."""

from __future__ import annotations

from dataclasses import dataclass, field

from provgraph.core import registry
from provgraph.core.config import section


@section("store", env={"PROVGRAPH_STORE": "kind"})
@dataclass
class StoreSettings:
    kind: str = field(default="embedded", metadata={"registry": registry.STORES})


@section("store.neo4j", env={
    "PROVGRAPH_NEO4J_URI": "uri",
    "PROVGRAPH_NEO4J_USER": "user",
    "PROVGRAPH_NEO4J_PASSWORD": "password",
})
@dataclass
class Neo4jSettings:
    uri: str = "bolt://127.0.0.1:7687"
    user: str = "neo4j"
    password: str = "provgraph-dev-password"
    database: str = "neo4j"
    batch_size: int = 2000


@section("store.embedded", paths={"embedded_store_dir": ("path", "embedded")})
@dataclass
class EmbeddedStoreSettings:
    path: str = ""  # empty: <data_dir>/embedded
