"""Unique, cheap ids: a random per-process prefix and a counter (renewed after fork).

Flowcept 1.0.3 uses the start time as task id, which collides in fast loops; a counter
cannot collide within a process and the 64-bit random prefix keeps processes apart.

Task ids come from ``task_ids``, an iterator built of C iterators only: ``str(int)``
costs more than the rest of an id, so each block of 1000 ids shares one
``"<prefix>.<n // 1000>"`` and appends a pre-made 3-digit tail (``next(task_ids)`` is
about a third of ``f"{prefix}.{next(counter)}"``). The ids are the same strings:
``<prefix>.1``, ``<prefix>.2``, ... No Python frame runs inside ``next()``, so threads
sharing the iterator never get the same id.
"""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import Iterator

_TAILS = tuple(f"{low:03d}" for low in range(1000))


def _new_prefix() -> str:
    return os.urandom(8).hex()


def _id_stream(prefix: str) -> Iterator[str]:
    dotted = prefix + "."
    first = [dotted + str(low) for low in range(1, 1000)]  # 1..999: no padded tail
    heads = map(dotted.__add__, map(str, itertools.count(1)))  # "<prefix>.1", ...
    appenders = map(getattr, heads, itertools.repeat("__add__"))
    # Lists: a list iterator is the cheapest ``next()``; a block is built in one go.
    blocks = map(list, map(map, appenders, itertools.repeat(_TAILS)))  # "<prefix>.1000"...
    return itertools.chain.from_iterable(itertools.chain((first,), blocks))


_prefix = _new_prefix()
# The hot path calls ``next(ids.task_ids)`` (read from the module: renewed after fork).
task_ids = _id_stream(_prefix)


def new_task_id() -> str:
    """A task id unique across processes and hosts, e.g. ``'9f1c0a2b3d4e5f60.17'``."""
    return next(task_ids)


def new_uuid() -> str:
    """A random UUID string for workflows, campaigns and other long-lived ids."""
    return str(uuid.uuid4())


def _reinit_after_fork() -> None:
    global _prefix, task_ids
    _prefix = _new_prefix()
    task_ids = _id_stream(_prefix)


os.register_at_fork(after_in_child=_reinit_after_fork)
