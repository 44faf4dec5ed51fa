"""The Redis hub: each batch is one entry of a Redis stream; a disk spool takes batches
while Redis cannot, and they are replayed in order when it answers again.

Stream entry fields (:mod:`provgraph.core.wire`): ``p`` = the batch as a JSON array of messages,
``id`` = the batch id ``<producer>.<sequence>``, unique across processes and numbered
without holes (``provgraph verify`` names the missing ones); ``close`` ends the sequence
with a ``producer_end`` control message. A write whose outcome is unknown (the
connection dropped after the command was sent) is spooled too; before replaying, the hub
looks for its spooled batch ids in the stream's tail and skips those already there, so
each batch lands once.

User code is never slowed by retries: while Redis is down, batches go straight to the
spool and a reconnect is tried at most every ``retry_interval_s``.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
import redis

from capture.hubs.base import Encoded, Hub, Message
from capture.hubs.numbering import Numbering
from capture.hubs.spool import Entry, Spool
from provgraph.core.errors import HubError
from provgraph.core.wire import FIELD_BATCH, FIELD_PAYLOAD, encode_batch

if TYPE_CHECKING:
    from provgraph.core.config import Settings

log = logging.getLogger(__name__)

DEDUP_EXTRA = 1000  # stream entries looked at beyond the spooled ones when replaying


def decode_entry(fields: dict[bytes, bytes]) -> list[Message]:
    """The messages of one stream entry (raises ``orjson.JSONDecodeError``/``HubError``)."""
    payload = fields.get(FIELD_PAYLOAD)
    if payload is None:
        raise HubError("stream entry has no payload field 'p'")
    decoded = orjson.loads(payload)
    if not isinstance(decoded, list):
        raise HubError("stream entry payload is not a JSON array")
    return decoded


class RedisHub(Hub):
    kind = "redis"

    def __init__(
        self,
        url: str,
        stream: str,
        spool_dir: str | Path,
        *,
        max_stream_len: int = 0,
        connect_timeout_s: float = 2.0,
        socket_timeout_s: float = 5.0,
        retry_interval_s: float = 1.0,
    ) -> None:
        self.url = url
        self.stream = stream
        self.max_stream_len = max_stream_len
        self.retry_interval_s = retry_interval_s
        # redis-py's return types are unions of sync/async results: kept as Any here.
        self._client: Any = redis_client(
            url,
            socket_connect_timeout=connect_timeout_s,
            socket_timeout=socket_timeout_s,
            retry_on_timeout=False,
        )
        self.spool = Spool(spool_dir)
        self._lock = threading.Lock()
        self._down_since: float | None = None
        self._next_try = 0.0
        self._orphans_checked = False  # spools left by processes that died with Redis down
        self.numbering = Numbering()
        self.sent_batches = 0

    @classmethod
    def from_settings(cls, settings: Settings) -> Hub:
        cfg = settings.hub.redis
        if cfg.cluster:  # hub.redis.cluster / PROVGRAPH_REDIS_CLUSTER=1: the sharded hub
            from capture.hubs.base import hub_class

            return hub_class("redis-cluster").from_settings(settings)
        return cls(
            cfg.url,
            cfg.stream,
            settings.redis_spool_dir,
            max_stream_len=cfg.max_stream_len,
            connect_timeout_s=cfg.connect_timeout_s,
            socket_timeout_s=cfg.socket_timeout_s,
            retry_interval_s=cfg.retry_interval_s,
        )

    # --- sending ---------------------------------------------------------------------------

    def _xadd_all(self, entries: list[Entry]) -> None:
        """Append entries in order; several go in one MULTI/EXEC (all or none), one alone
        needs no transaction (an XADD is atomic)."""
        pipe = self._client.pipeline(transaction=len(entries) > 1)
        for batch_id, payload in entries:
            fields: dict[bytes, Any] = {FIELD_PAYLOAD: payload, FIELD_BATCH: batch_id}
            if self.max_stream_len:
                pipe.xadd(self.stream, fields, maxlen=self.max_stream_len, approximate=True)
            else:
                pipe.xadd(self.stream, fields)
        pipe.execute()

    def emit(self, batch: list[Encoded]) -> None:
        if not batch:
            return
        with self._lock:
            self._send_locked((self.numbering.next_id(len(batch)), encode_batch(batch)))

    def _send_locked(self, entry: Entry) -> None:
        if not self._orphans_checked:
            self._orphans_checked = True
            if self.spool.count():
                self._down_since = time.monotonic()  # replay them before this batch
        backlog = self._down_since is not None or self.spool.own_pending()
        if backlog and (time.monotonic() < self._next_try or not self._replay_locked()):
            self.spool.append([entry])  # keeps order behind what is already spooled
            return
        try:
            self._xadd_all([entry])
            self.sent_batches += 1
        except (redis.ConnectionError, redis.TimeoutError, redis.ResponseError) as exc:
            self._mark_down(exc)
            self.spool.append([entry])

    def _mark_down(self, exc: Exception) -> None:
        if self._down_since is None:
            self._down_since = time.monotonic()
            log.warning("Redis at %s is unavailable (%s); spooling to %s",
                        _safe_url(self.url), exc, self.spool.directory)
        self._next_try = time.monotonic() + self.retry_interval_s

    def _replay_locked(self) -> bool:
        """Replay the spool; True when it is empty afterwards and Redis is back."""
        try:
            seen = self._recent_batch_ids(self.spool.count() + DEDUP_EXTRA)

            def send(entries: list[Entry]) -> None:
                fresh = [e for e in entries if e[0] not in seen]
                if fresh:
                    self._xadd_all(fresh)
                    self.sent_batches += len(fresh)

            replayed = self.spool.replay(send)
        except (redis.ConnectionError, redis.TimeoutError, redis.ResponseError) as exc:
            self._mark_down(exc)
            return False
        if self._down_since is not None:
            log.warning("Redis is back after %.1fs; replayed %s spooled batches",
                        time.monotonic() - self._down_since, replayed)
        self._down_since = None
        return True

    def _recent_batch_ids(self, count: int) -> set[str]:
        entries = self._client.xrevrange(self.stream, count=count)
        return {
            fields[FIELD_BATCH].decode() for _, fields in entries if FIELD_BATCH in fields
        }

    def replay(self) -> int:
        """Replay every spool file now (``provgraph replay``); returns batches sent."""
        with self._lock:
            before = self.sent_batches
            if not self._replay_locked():
                raise HubError(f"Redis at {_safe_url(self.url)} is not reachable; spool kept")
            return self.sent_batches - before

    def reset_after_fork(self) -> None:
        """A new lock; redis-py's pool opens new connections in a child by itself."""
        self._lock = threading.Lock()

    # --- reading back, health ----------------------------------------------------------------

    def mark(self) -> str:
        try:
            last = self._client.xrevrange(self.stream, count=1)
        except redis.RedisError:
            return "0-0"
        return last[0][0].decode() if last else "0-0"

    def read_since(self, mark: str | None) -> list[Message]:
        try:
            entries = self._client.xrange(self.stream, min=f"({mark}" if mark else "-")
        except redis.RedisError as exc:
            raise HubError(f"cannot read the stream {self.stream}: {exc}") from exc
        messages: list[Message] = []
        for _, fields in entries:
            messages.extend(decode_entry(fields))
        return messages

    def alive(self) -> bool:
        try:
            return bool(self._client.ping())
        except redis.RedisError:
            return False

    def close(self) -> None:
        with self._lock:
            end = self.numbering.end()  # say how far this producer counted
            if end is not None:
                self._send_locked((self.numbering.next_id(0), encode_batch([orjson.dumps(end)])))
            if self.spool.own_pending():
                self._replay_locked()
            self.spool.close()
        self._client.close()


def redis_client(url: str, **options: Any) -> redis.Redis:
    """A client for ``url``, its credentials parsed by provgraph (the last ``@`` ends them)
    and passed apart, so no part of a password is ever read as a host or shown in an
    error. A URL redis-py cannot read is a :class:`HubError` naming it redacted."""
    from provgraph.core.redact import url_credentials

    clean, user, password = url_credentials(url)
    if user is not None:
        options["username"] = user
    if password is not None:
        options["password"] = password
    try:
        return redis.Redis.from_url(clean, **options)
    except ValueError as exc:
        raise HubError(f"bad Redis URL {_safe_url(url)}: {exc}") from None


def _safe_url(url: str) -> str:
    from provgraph.core.redact import redact

    redacted: str = redact(url)
    return redacted
