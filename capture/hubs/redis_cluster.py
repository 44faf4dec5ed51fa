"""The Redis Cluster hub: batches spread over ``hub.redis.shards`` hash-tagged streams.

Each message goes to the shard of its workflow (:func:`provgraph.core.shards.shard_of`),
so a workflow's batches stay in one stream, in the order they were sent; a batch holding
several workflows is split into one entry per shard. Flush markers go to every shard (the
keepers confirm them per shard, :mod:`keeper.sources.redis_cluster`); other messages
without a workflow go to the producer's own shard.

Entries carry the same fields as the single-stream hub's (:mod:`provgraph.core.wire`),
and every entry is numbered: its batch id is ``<producer>.<sequence>``, one sequence per
producer across all shards.

When the cluster, a shard or a master does not answer (a failover takes a few seconds),
entries go to the disk spool, in order, and are replayed once it answers again; each
spooled line remembers its shard, and replaying skips the entries a shard already holds
(an XADD whose reply was lost), like :mod:`capture.hubs.redis_stream`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
import redis
from redis.backoff import NoBackoff
from redis.cluster import RedisCluster
from redis.retry import Retry

from capture.hubs.base import Encoded, Hub, Message
from capture.hubs.numbering import Numbering
from capture.hubs.redis_stream import decode_entry
from capture.hubs.spool import Entry, Spool
from provgraph.core import wire
from provgraph.core.errors import HubError
from provgraph.core.redact import redact_url, url_credentials
from provgraph.core.shards import shard_of, shard_stream, shard_tags

if TYPE_CHECKING:
    from provgraph.core.config import Settings

log = logging.getLogger(__name__)

DEDUP_EXTRA = 1000
# What "the cluster or one of its masters does not answer" looks like from redis-py.
UNAVAILABLE = (redis.ConnectionError, redis.TimeoutError, redis.exceptions.ClusterError,
               redis.exceptions.TryAgainError, redis.exceptions.RedisClusterException,
               redis.ResponseError)


def cluster_client(url: str, connect_timeout_s: float, socket_timeout_s: float,
                   seeds: list[tuple[str, int]] | None = None, **options: Any) -> RedisCluster:
    """A cluster client from one seed URL (it learns the other nodes itself), or from the
    nodes an earlier client knew (``seeds``: the URL's node may be the one that died);
    raises the redis-py error when no seed answers (callers treat that as "unavailable")."""
    from redis.cluster import ClusterNode

    clean, user, password = url_credentials(url)
    if seeds:
        options["startup_nodes"] = [ClusterNode(host, port) for host, port in seeds]
    try:
        return RedisCluster.from_url(
            clean, username=user, password=password,
            socket_connect_timeout=connect_timeout_s, socket_timeout=socket_timeout_s,
            # few retries of its own: the hub spools and the keeper backs off instead
            retry=Retry(NoBackoff(), 1), **options)
    except ValueError as exc:
        raise HubError(f"bad Redis URL {redact_url(url)}: {exc}") from None


def known_nodes(client: Any) -> list[tuple[str, int]]:
    """The (host, port) of every node ``client`` learnt of, masters and replicas."""
    try:
        return [(node.host, int(node.port)) for node in client.get_nodes()]
    except Exception:  # a client that never connected knows none
        return []


class RedisClusterHub(Hub):
    kind = "redis-cluster"

    def __init__(self, url: str, stream: str, shards: int, spool_dir: str | Path, *,
                 max_stream_len: int = 0, connect_timeout_s: float = 2.0,
                 socket_timeout_s: float = 5.0, retry_interval_s: float = 1.0) -> None:
        self.url = url
        self.streams = [shard_stream(stream, tag) for tag in shard_tags(shards)]
        self.max_stream_len = max_stream_len
        self.retry_interval_s = retry_interval_s
        self._timeouts = (connect_timeout_s, socket_timeout_s)
        self._client: Any = None  # connected on first use: the cluster may be down now
        self._seeds: list[tuple[str, int]] = []  # the nodes the last client knew
        self.spool = Spool(spool_dir)
        self._lock = threading.Lock()
        self._down_since: float | None = None
        self._next_try = 0.0
        self._orphans_checked = False
        self.numbering = Numbering()
        self.sent_batches = 0

    @classmethod
    def from_settings(cls, settings: Settings) -> RedisClusterHub:
        cfg = settings.hub.redis
        return cls(cfg.url, cfg.stream, cfg.shards, settings.redis_spool_dir,
                   max_stream_len=cfg.max_stream_len, connect_timeout_s=cfg.connect_timeout_s,
                   socket_timeout_s=cfg.socket_timeout_s, retry_interval_s=cfg.retry_interval_s)

    @property
    def _home(self) -> int:
        """The shard of this producer's messages that name no workflow."""
        return shard_of(self.numbering.producer, len(self.streams))

    def _connected(self) -> Any:
        if self._client is None:
            self._client = cluster_client(self.url, *self._timeouts, seeds=self._seeds)
        return self._client

    # --- routing -----------------------------------------------------------------------------

    def _entries(self, batch: list[Encoded]) -> list[Entry]:
        """The batch as numbered entries, one per shard it touches (spool ids carry the
        shard: ``<shard>|<batch id>``)."""
        self.numbering.forked()  # a forked child numbers as a producer of its own
        n = len(self.streams)
        parts: dict[int, list[Encoded]] = defaultdict(list)
        for message in batch:
            workflow = wire.workflow_of(message)
            if workflow is not None:
                parts[shard_of(workflow, n)].append(message)
            elif n > 1 and b'"event":"flush"' in message and wire.marker_of(
                    orjson.loads(message)) is not None:
                for shard in range(n):  # every keeper must have stored what came before
                    parts[shard].append(message)
            else:
                parts[self._home].append(message)
        entries = []
        for shard, messages in parts.items():
            entries.append((f"{shard}|{self.numbering.next_id(len(messages))}",
                            wire.encode_batch(messages)))
        return entries

    def _xadd_all(self, entries: list[Entry]) -> None:
        """Append entries in order; over several shards no transaction is possible, so a
        failure may leave some written: the spool's replay skips those."""
        pipe = self._connected().pipeline()
        for spool_id, payload in entries:
            shard, _, batch = spool_id.partition("|")
            fields: dict[bytes, Any] = {wire.FIELD_PAYLOAD: payload, wire.FIELD_BATCH: batch}
            stream = self.streams[int(shard) % len(self.streams)]
            if self.max_stream_len:
                pipe.xadd(stream, fields, maxlen=self.max_stream_len, approximate=True)
            else:
                pipe.xadd(stream, fields)
        pipe.execute()

    # --- sending -----------------------------------------------------------------------------

    def emit(self, batch: list[Encoded]) -> None:
        if not batch:
            return
        with self._lock:
            self._send_locked(self._entries(batch))

    def _send_locked(self, entries: list[Entry]) -> None:
        if not self._orphans_checked:
            self._orphans_checked = True
            if self.spool.count():
                self._down_since = time.monotonic()  # replay them before this batch
        backlog = self._down_since is not None or self.spool.own_pending()
        if backlog and (time.monotonic() < self._next_try or not self._replay_locked()):
            self.spool.append(entries)  # keeps order behind what is already spooled
            return
        try:
            self._xadd_all(entries)
            self.sent_batches += len(entries)
        except UNAVAILABLE as exc:
            self._mark_down(exc)
            self.spool.append(entries)

    def _mark_down(self, exc: Exception) -> None:
        if self._down_since is None:
            self._down_since = time.monotonic()
            log.warning("the Redis Cluster at %s is unavailable (%s); spooling to %s",
                        redact_url(self.url), exc, self.spool.directory)
        self._next_try = time.monotonic() + self.retry_interval_s
        # A failover moves slots to other nodes: learn the layout again on the next try.
        if self._client is not None:
            self._seeds = known_nodes(self._client) or self._seeds
            try:
                self._client.close()
            finally:
                self._client = None

    def _replay_locked(self) -> bool:
        try:
            pending = self.spool.count() + DEDUP_EXTRA
            seen: dict[int, set[str]] = {}

            def send(entries: list[Entry]) -> None:
                fresh = []
                for entry in entries:
                    shard = int(entry[0].partition("|")[0]) % len(self.streams)
                    if shard not in seen:
                        seen[shard] = self._recent_batch_ids(self.streams[shard], pending)
                    if entry[0].partition("|")[2] not in seen[shard]:
                        fresh.append(entry)
                if fresh:
                    self._xadd_all(fresh)
                    self.sent_batches += len(fresh)

            replayed = self.spool.replay(send)
        except UNAVAILABLE as exc:
            self._mark_down(exc)
            return False
        if self._down_since is not None:
            log.warning("the Redis Cluster is back after %.1fs; replayed %s spooled entries",
                        time.monotonic() - self._down_since, replayed)
        self._down_since = None
        return True

    def _recent_batch_ids(self, stream: str, count: int) -> set[str]:
        entries = self._connected().xrevrange(stream, count=count)
        return {f[wire.FIELD_BATCH].decode() for _, f in entries if wire.FIELD_BATCH in f}

    def replay(self) -> int:
        """Replay every spool file now (``provgraph replay``); returns entries sent."""
        with self._lock:
            before = self.sent_batches
            if not self._replay_locked():
                raise HubError(f"the Redis Cluster at {redact_url(self.url)} is not "
                               "reachable; spool kept")
            return self.sent_batches - before

    def reset_after_fork(self) -> None:
        self._lock = threading.Lock()
        self._client = None  # the parent's connections stay the parent's

    # --- reading back, health ----------------------------------------------------------------

    def mark(self) -> dict[str, str]:
        marks = {}
        for stream in self.streams:
            try:
                last = self._connected().xrevrange(stream, count=1)
            except UNAVAILABLE:
                last = []
            marks[stream] = last[0][0].decode() if last else "0-0"
        return marks

    def read_since(self, mark: dict[str, str] | None) -> list[Message]:
        messages: list[Message] = []
        for stream in self.streams:
            start = (mark or {}).get(stream)
            try:
                entries = self._connected().xrange(stream, min=f"({start}" if start else "-")
            except UNAVAILABLE as exc:
                raise HubError(f"cannot read the stream {stream}: {exc}") from exc
            for _, fields in entries:
                messages.extend(decode_entry(fields))
        return messages

    def alive(self) -> bool:
        try:
            return bool(self._connected().ping())
        except UNAVAILABLE:
            return False

    def close(self) -> None:
        """Say how far this producer counted (``producer_end``), then replay what is
        spooled if the cluster answers."""
        with self._lock:
            end = self.numbering.end()  # say how far this producer counted
            if end is not None:
                self._send_locked(self._entries([orjson.dumps(end)]))
            if self.spool.own_pending():
                self._replay_locked()
            self.spool.close()
            if self._client is not None:
                self._client.close()
                self._client = None
