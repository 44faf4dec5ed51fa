"""How long a node id or an indexed property may be.

Neo4j's range indexes (behind every uniqueness constraint on ``id`` and the indexes on
``activity_id``, ``status``, ``workflow_id``, ``name``) hold keys of about 8 KB at most;
a longer value fails the whole write transaction with "Property value is too large to
index". The mapping therefore decides before any store sees the value:

* a name the message gives (its own id, ids it refers to, ``activity_id``, ``status``, a
  workflow ``name``, ``user``, ``agent_id``) above :data:`MAX_KEY_BYTES` refuses the
  message (``MappingError`` naming the field: a dead letter with that reason);
* an id the mapping composes from user data (an entity's usage id
  ``<task_id>/used/<role>`` with a huge role, a plan id from a huge ``qualname``) above
  :data:`MAX_KEY_BYTES` keeps its prefix and replaces the rest by its hash
  (:func:`bounded_id`), so the value is stored and stays the same node every time.

Both stores apply the same rule (it is part of the mapping), so they hold the same graph.
"""

from __future__ import annotations

import hashlib

MAX_KEY_BYTES = 4096  # UTF-8 bytes; half of Neo4j's limit leaves room for composed prefixes
HASHED_MARK = "#sha256:"


def key_size(text: str) -> int:
    """UTF-8 bytes of ``text`` (surrogates counted as their escapes would be)."""
    return len(text.encode("utf-8", "surrogatepass"))


def too_long(text: str) -> bool:
    """Whether ``text`` is above :data:`MAX_KEY_BYTES` (cheap for short strings)."""
    return len(text) > MAX_KEY_BYTES // 4 and key_size(text) > MAX_KEY_BYTES


def too_long_reason(text: str) -> str:
    return f"is {key_size(text)} bytes; ids and indexed fields hold at most {MAX_KEY_BYTES}"


def bounded_id(prefix: str, name: str) -> str:
    """``prefix + name``, or ``prefix + "#sha256:" + hash(name)`` when that is too long."""
    whole = prefix + name
    if not too_long(whole):
        return whole
    digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return f"{prefix}{HASHED_MARK}{digest}"
