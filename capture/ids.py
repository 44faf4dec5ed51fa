"""Unique, cheap ids: a random per-process prefix and a counter (renewed after fork).

Flowcept 1.0.3 uses the start time as task id, which collides in fast loops; a counter
cannot collide within a process and the 64-bit random prefix keeps processes apart.
"""

from __future__ import annotations

import itertools
import os
import uuid


def _new_prefix() -> str:
    return os.urandom(8).hex()


_prefix = _new_prefix()
_counter = itertools.count(1)


def new_task_id() -> str:
    """A task id unique across processes and hosts, e.g. ``'9f1c0a2b3d4e5f60.17'``."""
    return f"{_prefix}.{next(_counter)}"


def new_uuid() -> str:
    """A random UUID string for workflows, campaigns and other long-lived ids."""
    return str(uuid.uuid4())


def _reinit_after_fork() -> None:
    global _prefix, _counter
    _prefix = _new_prefix()
    _counter = itertools.count(1)


os.register_at_fork(after_in_child=_reinit_after_fork)
