"""The hubs' settings sections: which hub, and each hub's own section.

Producers and keepers read the same sections: the keeper's sources find the stream, the
group and the file through them (``settings.hub.redis.stream``, ``settings.buffer_file``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from provgraph.core import registry
from provgraph.core.config import section


@section("hub", env={"PROVGRAPH_HUB": "kind"})
@dataclass
class HubSettings:
    kind: str = field(default="file", metadata={"registry": registry.HUBS})


@section("hub.file", paths={"buffer_file": ("path", "buffer.jsonl")})
@dataclass
class FileHubSettings:
    path: str = ""  # empty: <data_dir>/buffer.jsonl


@section(
    "hub.redis",
    env={"PROVGRAPH_REDIS_URL": "url", "PROVGRAPH_REDIS_STREAM": "stream",
         "PROVGRAPH_REDIS_CLUSTER": "cluster"},
    paths={"redis_spool_dir": ("spool_dir", "spool")},
)
@dataclass
class RedisHubSettings:
    url: str = "redis://127.0.0.1:6379/0"
    stream: str = "provgraph:messages"
    dead_letter_stream: str = "provgraph:dead-letter"
    group: str = "provgraph-keepers"
    spool_dir: str = ""  # empty: <data_dir>/spool
    max_stream_len: int = 0  # 0: no trimming
    connect_timeout_s: float = 2.0
    socket_timeout_s: float = 5.0
    retry_interval_s: float = 1.0
    # A Redis Cluster: ``url`` names one seed node (any of them); batches are spread over
    # ``shards`` streams ``<stream>:{<tag>}`` (the hash tag puts each on one slot, the tags
    # chosen so the shards fall on different masters of an evenly split cluster), a
    # workflow's batches all in one shard, in order (capture/hubs/redis_cluster.py).
    cluster: bool = False
    shards: int = 3
