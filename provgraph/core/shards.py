"""The shards of the Redis Cluster hub: key names both producers and keepers compute.

A shard is one stream ``<stream>:{<tag>}``; the ``{tag}`` is a Redis Cluster hash tag, so
the stream, its dead-letter stream, its flush confirmations and its keeper lease all live
on one slot (one master). Tags are chosen so that shard ``i`` of ``n`` falls in the
``i``-th ``n``-th of the 16,384 slots: an evenly split cluster (what ``redis-cli
--cluster create`` makes) puts the shards on different masters when ``n`` is a multiple of
the masters. A workflow goes to shard ``crc32(workflow_id) % n``, the same in every
process (Python's ``hash`` is salted per process).

    >>> tags = shard_tags(3)
    >>> [key_slot(f"x:{{{t}}}") * 3 // SLOTS for t in tags]
    [0, 1, 2]
    >>> shard_of("wf-1", 3) == shard_of("wf-1", 3)
    True
"""

from __future__ import annotations

import functools
import zlib
from typing import Final

SLOTS: Final = 16384


def _crc16(data: bytes) -> int:
    """CRC16-CCITT (XModem), the hash of Redis Cluster key slots."""
    crc = 0
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def key_slot(key: str) -> int:
    """The cluster slot of ``key`` (its ``{hash tag}`` when it has a non-empty one)."""
    raw = key.encode()
    start = raw.find(b"{")
    if start >= 0:
        end = raw.find(b"}", start + 1)
        if end > start + 1:
            raw = raw[start + 1:end]
    return _crc16(raw) % SLOTS


@functools.cache
def shard_tags(shards: int) -> tuple[str, ...]:
    """One hash tag per shard, ``s<k>`` with the smallest ``k`` landing in its slot range."""
    if shards < 1:
        raise ValueError(f"hub.redis.shards must be at least 1, got {shards}")
    tags: list[str] = []
    for index in range(shards):
        low, high = index * SLOTS // shards, (index + 1) * SLOTS // shards
        k = 0
        while not low <= _crc16(f"s{k}".encode()) % SLOTS < high:
            k += 1
        tags.append(f"s{k}")
    return tuple(tags)


def shard_stream(stream: str, tag: str) -> str:
    return f"{stream}:{{{tag}}}"


def tag_of(key: str) -> str | None:
    """The hash tag of a shard key, e.g. ``s12`` of ``provgraph:messages:{s12}``."""
    start, end = key.rfind("{"), key.rfind("}")
    return key[start + 1:end] if 0 <= start < end else None


def shard_of(workflow_id: str, shards: int) -> int:
    """The shard of a workflow's batches (stable across processes and machines)."""
    return zlib.crc32(workflow_id.encode()) % shards
