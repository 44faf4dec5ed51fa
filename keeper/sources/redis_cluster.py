"""Reading the Redis Cluster hub's shards: any number of keepers share them.

Each shard (:mod:`provgraph.core.shards`) is a stream with its own consumer group and
dead-letter stream, read through a :class:`~keeper.sources.redis_group.RedisGroupSource`
over one shared cluster client. A shard is read by one keeper at a time, so a
workflow's batches are stored in the order they were sent: a keeper holds a *lease* on
each shard it reads (a key on the shard's slot, ``SET NX`` with a time to live of
``keeper.claim_idle_s``, renewed on every read). Keepers announce themselves in a sorted
set with a heartbeat, and each takes at most its fair share (``ceil(shards / keepers)``)
and gives back what is over it, so a keeper that joins gets work and the shards of a
keeper that died (its leases run out) go to the others, who claim its pending entries
(``XAUTOCLAIM`` after ``keeper.claim_idle_s``) as in the single-stream source.

Flush markers reach every shard (the hub sends them to all): a keeper confirms a marker
for the shard it read it from, and a marker is confirmed when every shard confirmed it.
"""

from __future__ import annotations

import logging
import math
import os
import socket
import time
from typing import TYPE_CHECKING, Any

from redis.backoff import NoBackoff
from redis.cluster import ClusterNode, RedisCluster
from redis.retry import Retry

from keeper.sources.base import Delivery, Source
from keeper.sources.redis_group import (
    MARKER_PREFIX,
    UNAVAILABLE,
    RedisGroupSource,
    _unavailable,
)
from provgraph.core.errors import HubError, HubUnavailableError
from provgraph.core.redact import redact_url, url_credentials
from provgraph.core.shards import shard_stream, shard_tags, tag_of

if TYPE_CHECKING:
    from provgraph.core.config import Settings

log = logging.getLogger(__name__)

# Renew the lease if mine (compare and expire in one step), release it if mine.
_RENEW = ("if redis.call('get', KEYS[1]) == ARGV[1] then "
          "return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end")
_RELEASE = ("if redis.call('get', KEYS[1]) == ARGV[1] then "
            "return redis.call('del', KEYS[1]) else return 0 end")


def cluster_client(url: str, connect_timeout_s: float, socket_timeout_s: float,
                   seeds: list[tuple[str, int]] | None = None) -> Any:
    """A cluster client from the seed URL, or from the nodes an earlier client knew (the
    URL's node may be the one that died). The keeper does not import capture, so this
    mirrors ``capture.hubs.redis_cluster.cluster_client``."""
    clean, user, password = url_credentials(url)
    options: dict[str, Any] = {}
    if seeds:
        options["startup_nodes"] = [ClusterNode(host, port) for host, port in seeds]
    try:
        return RedisCluster.from_url(
            clean, username=user, password=password, socket_connect_timeout=connect_timeout_s,
            socket_timeout=socket_timeout_s, socket_keepalive=True,
            retry=Retry(NoBackoff(), 1), **options)
    except ValueError as exc:
        raise HubError(f"bad Redis URL {redact_url(url)}: {exc}") from None


def known_nodes(client: Any) -> list[tuple[str, int]]:
    try:
        return [(node.host, int(node.port)) for node in client.get_nodes()]
    except Exception:  # a client that never connected knows none
        return []


class _Shard(RedisGroupSource):
    """One shard: its flush confirmations live on its own slot."""

    def marker_key(self, marker: str) -> str:
        return f"{MARKER_PREFIX}{{{tag_of(self.stream)}}}:{marker}"


class RedisClusterSource(Source):
    kind = "redis-cluster"

    def __init__(self, url: str, stream: str, group: str, dead_letter_stream: str,
                 shards: int, *, claim_idle_s: float = 30.0, consumer: str | None = None,
                 connect_timeout_s: float = 2.0, socket_timeout_s: float = 5.0) -> None:
        self.url = url
        self.group = group
        self.consumer = consumer or f"{socket.gethostname()}-{os.getpid()}-{os.urandom(3).hex()}"
        self.lease_ms = max(1000, int(claim_idle_s * 1000))
        self._timeouts = (connect_timeout_s, socket_timeout_s)
        self._client: Any = None
        self._seeds: list[tuple[str, int]] = []
        self.shards = [
            _Shard(url, shard_stream(stream, tag), group, shard_stream(dead_letter_stream, tag),
                   claim_idle_s=claim_idle_s, consumer=self.consumer, client=self)
            for tag in shard_tags(shards)
        ]
        self._by_stream = {s.stream: s for s in self.shards}
        self._keepers_key = f"provgraph:keepers:{stream}:{group}"
        self.owned: list[int] = []  # indexes of the shards this keeper holds a lease on
        self._next_lease_check = 0.0
        self._turn = 0
        self._stopping = False

    @classmethod
    def from_settings(cls, settings: Settings) -> RedisClusterSource:
        cfg = settings.hub.redis
        return cls(cfg.url, cfg.stream, cfg.group, cfg.dead_letter_stream, cfg.shards,
                   claim_idle_s=settings.keeper.claim_idle_s,
                   connect_timeout_s=cfg.connect_timeout_s,
                   socket_timeout_s=cfg.socket_timeout_s)

    # The shards call ``self._client.<command>``: hand them the cluster client, connected
    # on first use (the cluster may be down when the keeper starts).
    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._connected(), name)

    def _connected(self) -> Any:
        if self._client is None:
            self._client = cluster_client(self.url, *self._timeouts, seeds=self._seeds)
        return self._client

    def _reset(self) -> None:
        """After an error: learn the cluster's layout again (a failover moved a master),
        from every node the last client knew (the seed URL's node may be the dead one)."""
        if self._client is not None:
            self._seeds = known_nodes(self._client) or self._seeds
            try:
                self._client.close()
            finally:
                self._client = None

    # --- leases ------------------------------------------------------------------------------

    def _lease_key(self, index: int) -> str:
        return f"provgraph:lease:{self.group}:{{{tag_of(self.shards[index].stream)}}}"

    def _balance(self) -> None:
        """Heartbeat, renew the leases held, give back what is over the fair share, take
        free shards up to it (at most every third of the lease)."""
        now = time.monotonic()
        if now < self._next_lease_check:
            return
        client = self._connected()
        wall = time.time()
        client.zadd(self._keepers_key, {self.consumer: wall})
        client.zremrangebyscore(self._keepers_key, "-inf", wall - self.lease_ms / 1000)
        keepers = max(1, int(client.zcard(self._keepers_key)))
        share = math.ceil(len(self.shards) / keepers)
        for index in list(self.owned):
            if not client.eval(_RENEW, 1, self._lease_key(index), self.consumer, self.lease_ms):
                log.warning("lost the lease on %s", self.shards[index].stream)
                self.owned.remove(index)
        while len(self.owned) > share:
            index = self.owned.pop()
            client.eval(_RELEASE, 1, self._lease_key(index), self.consumer)
            log.info("gave %s back to %s other keepers", self.shards[index].stream,
                     keepers - 1)
        for index in range(len(self.shards)):
            if len(self.owned) >= share:
                break
            if index not in self.owned and client.set(
                    self._lease_key(index), self.consumer, nx=True, px=self.lease_ms):
                self.owned.append(index)
                self.shards[index]._next_claim = 0.0  # claim what a dead keeper left now
                log.info("reading %s", self.shards[index].stream)
        self._next_lease_check = now + self.lease_ms / 3000

    # --- reading -----------------------------------------------------------------------------

    def read(self, max_entries: int, block_ms: int) -> list[Delivery]:
        deadline = time.monotonic() + block_ms / 1000
        try:
            with _unavailable("taking the shards' leases"):
                self._balance()
            if not self.owned:
                return []  # every shard has a keeper: wait for one to leave
            for blocking in (False, True):
                for _ in range(len(self.owned)):
                    index = self.owned[self._turn % len(self.owned)]
                    self._turn += 1
                    left = int((deadline - time.monotonic()) * 1000)
                    if blocking and (left <= 0 or self._stopping):
                        return []
                    wait = max(1, left // len(self.owned)) if blocking else 0
                    deliveries = self.shards[index].read(max_entries, wait)
                    if deliveries:
                        return deliveries
        except HubUnavailableError:
            self._reset()
            raise
        return []

    def _shard(self, origin_or_stream: str) -> _Shard:
        stream = origin_or_stream.split(" ", 1)[0]
        shard = self._by_stream.get(stream) or self._by_stream.get(stream.rpartition(":")[0])
        if shard is None:
            raise HubError(f"not a stream of this hub: {stream!r}")
        return shard

    def ack(self, deliveries: list[Delivery]) -> None:
        by_shard: dict[str, list[Delivery]] = {}
        for delivery in deliveries:
            stream = delivery.origin.split(" ", 1)[0].rpartition(":")[0]
            by_shard.setdefault(stream, []).append(delivery)
        try:
            for stream, items in by_shard.items():
                self._shard(stream).ack(items)
        except HubUnavailableError:
            self._reset()
            raise

    def dead_letter(self, payload: bytes, reason: str, origin: str) -> None:
        self._shard(origin).dead_letter(payload, reason, origin)

    def dead_letters(self) -> list[dict[str, Any]]:
        return [letter for shard in self.shards for letter in shard.dead_letters()]

    def backlog(self) -> int | None:
        try:
            return sum(shard.backlog() or 0 for shard in self.shards)
        except HubUnavailableError:
            self._reset()
            raise

    def waiting_for(self) -> str | None:
        parts = [f"{shard.stream}: {why}" for shard in self.shards
                 if (why := shard.waiting_for())]
        return "; ".join(parts) or None

    def confirm(self, marker: str) -> None:
        for shard in self.shards:  # the shard(s) this marker was read from
            if marker in shard.markers:
                shard.confirm(marker)

    def confirmed(self, marker: str) -> bool:
        return all(shard.confirmed(marker) for shard in self.shards)

    def interrupt(self) -> None:
        self._stopping = True

    def close(self) -> None:
        """Give the leases back, so another keeper takes the shards at once."""
        try:
            for index in self.owned:
                self._connected().eval(_RELEASE, 1, self._lease_key(index), self.consumer)
            self._connected().zrem(self._keepers_key, self.consumer)
        except UNAVAILABLE as exc:
            log.debug("could not give the leases back (%s); they run out by themselves", exc)
        self.owned = []
        self._reset()
