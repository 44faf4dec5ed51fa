"""Reading the Redis hub's stream with a consumer group.

Several keepers in one group share the work. Entries stay pending until acknowledged
(``XACK``, then ``XDEL`` so the stream does not grow); a keeper that dies with pending
entries loses them to the next keeper that runs ``XAUTOCLAIM`` after ``claim_idle_s``.
Dead letters go to a second stream with the reason and the original payload.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import redis

from keeper.sources.base import Delivery, Source, decode_array_or_object
from provgraph.core import wire
from provgraph.core.errors import HubError, HubUnavailableError
from provgraph.core.redact import redact_url, url_credentials
from provgraph.core.wire import FIELD_BATCH, FIELD_PAYLOAD

if TYPE_CHECKING:
    from provgraph.core.config import Settings

log = logging.getLogger(__name__)

MARKER_PREFIX = "provgraph:flushed:"
MARKER_TTL_S = 24 * 3600
CLAIM_EVERY_S = 5.0
# Not answering now, worth waiting for: a lost connection, and in a Redis Cluster a shard
# without a master (a failover in progress), a slot being moved, no reachable node.
UNAVAILABLE = (redis.ConnectionError, redis.TimeoutError, redis.exceptions.ClusterError,
               redis.exceptions.TryAgainError, redis.exceptions.RedisClusterException)


class RedisGroupSource(Source):
    kind = "redis"

    def __init__(
        self,
        url: str,
        stream: str,
        group: str,
        dead_letter_stream: str,
        *,
        claim_idle_s: float = 30.0,
        consumer: str | None = None,
        connect_timeout_s: float = 2.0,
        client: Any = None,
    ) -> None:
        self.stream = stream
        self.group = group
        self.dead_letter_stream = dead_letter_stream
        self.claim_idle_ms = int(claim_idle_s * 1000)
        self.consumer = consumer or f"{socket.gethostname()}-{os.getpid()}-{os.urandom(3).hex()}"
        self._client: Any = client  # a Redis Cluster client shared by the shards
        self._group_ready = False
        self._next_claim = 0.0
        self.markers: set[str] = set()  # flush markers read from this stream, not confirmed
        if client is not None:
            return
        # redis-py's return types are unions of sync/async results: kept as Any here.
        clean, user, password = url_credentials(url)  # the last "@" ends the credentials
        try:
            self._client = redis.Redis.from_url(
                clean, username=user, password=password,
                socket_connect_timeout=connect_timeout_s, socket_keepalive=True,
            )
        except ValueError as exc:
            raise HubError(f"bad Redis URL {redact_url(url)}: {exc}") from None

    @classmethod
    def from_settings(cls, settings: Settings) -> Source:
        cfg = settings.hub.redis
        if cfg.cluster:  # the shards of the Redis Cluster hub (keeper/sources/redis_cluster.py)
            from keeper.sources.base import SOURCES

            return SOURCES.get("redis-cluster").from_settings(settings)
        return cls(cfg.url, cfg.stream, cfg.group, cfg.dead_letter_stream,
                   claim_idle_s=settings.keeper.claim_idle_s,
                   connect_timeout_s=cfg.connect_timeout_s)

    def _ensure_group(self) -> None:
        if self._group_ready:
            return
        try:
            self._client.xgroup_create(self.stream, self.group, id="0", mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise
        self._group_ready = True

    def read(self, max_entries: int, block_ms: int) -> list[Delivery]:
        try:
            self._ensure_group()
            deliveries = self._claim_abandoned(max_entries)
            if deliveries:
                return deliveries
            reply = self._client.xreadgroup(
                self.group, self.consumer, {self.stream: ">"}, count=max_entries,
                block=block_ms or None,
            )
        except redis.AuthenticationError as exc:
            raise HubError(f"Redis refused the credentials: {exc}") from exc
        except UNAVAILABLE as exc:
            raise HubUnavailableError(f"Redis unavailable: {exc}") from exc
        except redis.ResponseError as exc:
            if "NOGROUP" in str(exc):  # the stream was deleted under us: create it again
                self._group_ready = False
                return []
            raise HubError(f"reading {self.stream}: {exc}") from exc
        entries = reply[0][1] if reply else []
        return [self._delivery(entry_id, fields) for entry_id, fields in entries]

    def _claim_abandoned(self, max_entries: int) -> list[Delivery]:
        """Pending entries of keepers that stopped answering (every CLAIM_EVERY_S)."""
        now = time.monotonic()
        if now < self._next_claim:
            return []
        self._next_claim = now + min(CLAIM_EVERY_S, self.claim_idle_ms / 1000)
        reply = self._client.xautoclaim(
            self.stream, self.group, self.consumer, min_idle_time=self.claim_idle_ms,
            start_id="0-0", count=max_entries,
        )
        claimed = [(entry_id, fields) for entry_id, fields in reply[1] if fields]
        if claimed:
            log.warning("claimed %s entries abandoned by another keeper", len(claimed))
            self._next_claim = now  # there may be more: look again next read
        return [self._delivery(entry_id, fields, attempts=2) for entry_id, fields in claimed]

    def _delivery(self, entry_id: bytes, fields: dict[bytes, bytes], attempts: int = 1
                  ) -> Delivery:
        origin = f"{self.stream}:{entry_id.decode()}"
        payload = fields.get(FIELD_PAYLOAD)
        if payload is None:
            raw = repr(fields).encode()[:100_000]
            return Delivery(entry_id, raw, None, "stream entry has no payload field 'p'",
                            origin, attempts)
        messages, error = decode_array_or_object(payload)
        batch = fields.get(FIELD_BATCH, b"").decode(errors="replace")
        if messages is not None and b'"flush"' in payload:
            self.markers.update(m for m in map(wire.marker_of, messages) if m is not None)
        return Delivery(entry_id, payload, messages, error, origin, attempts,
                        {"batch_id": batch})

    def ack(self, deliveries: list[Delivery]) -> None:
        if not deliveries:
            return
        ids = [d.ref for d in deliveries]
        with _unavailable("acknowledging"):
            # Not acknowledged on an error: delivered again and stored again (idempotent).
            pipe = self._client.pipeline(transaction=False)
            pipe.xack(self.stream, self.group, *ids)
            pipe.xdel(self.stream, *ids)
            pipe.execute()

    def dead_letter(self, payload: bytes, reason: str, origin: str) -> None:
        with _unavailable("writing a dead letter"):
            self._client.xadd(self.dead_letter_stream, {
                "payload": payload, "reason": reason, "origin": origin,
                "time": str(time.time()),
            })

    def dead_letters(self) -> list[dict[str, Any]]:
        with _unavailable("reading the dead letters"):
            entries = self._client.xrange(self.dead_letter_stream)
        return [
            {k.decode(): v.decode(errors="replace") if k != b"payload" else v
             for k, v in fields.items()}
            for _, fields in entries
        ]

    def _group_info(self) -> dict[str, Any] | None:
        try:
            groups = self._client.xinfo_groups(self.stream)
        except redis.ResponseError as exc:
            if "no such key" in str(exc).lower():
                return None  # no stream yet: nothing waits
            raise HubError(f"reading the groups of {self.stream}: {exc}") from exc
        for group in groups:
            if group.get("name", b"").decode() == self.group:
                info: dict[str, Any] = group
                return info
        return None

    def _unread(self, group: dict[str, Any]) -> int:
        """Entries after the group's last delivered id. The group's ``lag`` says how many,
        but it is only an estimate: null when it cannot be computed, stale after entries
        were deleted or Redis restarted; so the stream itself is asked whether any is."""
        last = group.get("last-delivered-id") or b"0-0"
        last_id = last.decode() if isinstance(last, bytes) else str(last)
        if not self._client.xrange(self.stream, min=f"({last_id}", count=1):
            return 0
        length = int(self._client.xlen(self.stream))
        lag = group.get("lag")
        return max(1, min(int(lag), length)) if lag is not None else max(1, length)

    def backlog(self) -> int | None:
        """Unread entries plus entries pending (delivered, not acknowledged) in the group."""
        with _unavailable("measuring the backlog"):
            group = self._group_info()
            if group is None:
                return int(self._client.xlen(self.stream))  # no group yet: all unread
            return int(group.get("pending") or 0) + self._unread(group)

    def waiting_for(self) -> str | None:
        with _unavailable("measuring the backlog"):
            group = self._group_info()
            if group is None:
                return None
            parts = []
            unread = self._unread(group)
            if unread:
                parts.append(f"{unread} unread entries")
            if int(group.get("pending") or 0):
                summary = self._client.xpending(self.stream, self.group)
                owners = ", ".join(
                    f"{c['name'].decode(errors='replace')} ({c['pending']})"
                    for c in summary.get("consumers") or []
                )
                parts.append(
                    f"{summary.get('pending', 0)} entries pending with {owners}: a keeper "
                    f"that stopped loses them to this one once they are "
                    f"{self.claim_idle_ms / 1000:g}s idle (keeper.claim_idle_s)"
                )
        return "; ".join(parts) or None

    def marker_key(self, marker: str) -> str:
        return MARKER_PREFIX + marker

    def confirm(self, marker: str) -> None:
        with _unavailable("confirming a flush marker"):
            self._client.set(self.marker_key(marker), b"1", ex=MARKER_TTL_S)
        self.markers.discard(marker)

    def confirmed(self, marker: str) -> bool:
        try:
            return bool(self._client.exists(self.marker_key(marker)))
        except redis.RedisError:
            return False

    def close(self) -> None:
        self._client.close()


@contextlib.contextmanager
def _unavailable(what: str) -> Iterator[None]:
    """Redis errors as provgraph errors: a lost or refused connection is
    :class:`HubUnavailableError` (the keeper backs off and retries)."""
    try:
        yield
    except redis.AuthenticationError as exc:  # a ConnectionError, but waiting will not help
        raise HubError(f"Redis refused the credentials while {what}: {exc}") from exc
    except UNAVAILABLE as exc:
        raise HubUnavailableError(f"Redis unavailable while {what}: {exc}") from exc
    except redis.RedisError as exc:
        raise HubError(f"Redis refused {what}: {exc}") from exc
