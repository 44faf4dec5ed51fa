"""The merge rule for a node written more than once (docs/architecture.md, "Messages").

A task may arrive several times (RUNNING then FINISHED, possibly out of order). Its flat
properties are merged with :func:`merge_task_props`:

1. Normally the later message wins, field by field: every non-null field of ``new``
   replaces the one in ``old``; fields ``new`` lacks are kept from ``old``.
2. Except when ``old`` is terminal (status FINISHED or ERROR) and ``new`` is not (any other
   status, or no status at all): then ``old`` wins every field it has, and ``new`` only fills
   the fields ``old`` lacks. So a late RUNNING message never undoes a FINISHED one, nor its
   ``ended_at`` / ``generated_json``, but can still add e.g. ``telemetry_at_start_json``.

A terminal status replacing another terminal status follows rule 1 (the later wins).

Which nodes follow it: tasks, workflows, campaigns and usage-local entities (nodes
without a ``status`` simply get rule 1). Shared (content-addressed) entities, plans and
agents are written on creation only: their id already says what they are, so a later
message never changes them. Both stores do exactly this: the embedded store with this
function, the Neo4j ingest statements in Cypher (``ON CREATE SET`` for the create-only
kinds).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from provgraph.core.wire import TERMINAL_STATUSES

V = TypeVar("V")


def is_terminal(status: Any) -> bool:
    """Whether ``status`` is FINISHED or ERROR."""
    return status in TERMINAL_STATUSES


def is_stale(old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    """Whether ``new`` must not overwrite ``old`` (``old`` terminal, ``new`` not)."""
    return old.get("status") in TERMINAL_STATUSES and new.get("status") not in TERMINAL_STATUSES


def merge_task_props(old: Mapping[str, V], new: Mapping[str, V]) -> dict[str, V]:
    """Merged properties of a node written twice; see the module docstring for the rule.

    Pure: neither argument is modified. ``None`` values in ``new`` never replace anything.
    """
    if old.get("status") in TERMINAL_STATUSES and new.get("status") not in TERMINAL_STATUSES:
        out = {k: v for k, v in new.items() if v is not None}
        out.update(old)
        return out
    out = dict(old)
    for key, value in new.items():
        if value is not None:
            out[key] = value
    return out
