"""The wire: what producers send and keepers read, written down in one place.

A message is a JSON object (orjson) with a ``type``:

* ``task`` and ``workflow``: the Flowcept task and workflow schemas (``capture.messages``
  holds them as dataclasses);
* ``control``: provgraph's own messages, never shown to users (``read_buffer_file`` and
  ``get_buffer`` leave them out) and never stored as provenance.

A hub entry carries a batch. The Redis hub's stream entries have two fields:
:data:`FIELD_PAYLOAD` (the batch as one JSON array) and :data:`FIELD_BATCH` (a batch id
unique across processes, for de-duplicating replays). The file hub writes one message per
line.

    >>> flush_marker("m1")
    {'type': 'control', 'event': 'flush', 'marker': 'm1'}
    >>> marker_of(flush_marker("m1"))
    'm1'
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Final


class Status(StrEnum):
    """A task's or workflow's state (the Flowcept values)."""

    SUBMITTED = "SUBMITTED"
    WAITING = "WAITING"
    RUNNING = "RUNNING"
    FINISHED = "FINISHED"
    ERROR = "ERROR"
    UNKNOWN = "UNKNOWN"


# Plain-string forms, for hot paths that build dicts (no enum lookups per call).
RUNNING: Final = Status.RUNNING.value
FINISHED: Final = Status.FINISHED.value
ERROR: Final = Status.ERROR.value
# A terminal status is never overwritten by a non-terminal one (the merge rule).
TERMINAL_STATUSES: Final = frozenset({FINISHED, ERROR})

# --- message kinds ------------------------------------------------------------------------

TYPE: Final = "type"  # the field naming a message's kind
TASK: Final = "task"
WORKFLOW: Final = "workflow"
CONTROL: Final = "control"
MESSAGE_KINDS: Final = (TASK, WORKFLOW, CONTROL)

# --- control messages ---------------------------------------------------------------------

# A flush marker: "tell me when everything I sent before this is stored"
# (``Flowcept(check_safe_stops=True)``). A keeper confirms ``marker`` once the write that
# holds the marker has committed.
FLUSH: Final = "flush"


def flush_marker(marker: str) -> dict[str, Any]:
    """The control message asking a keeper to confirm ``marker`` once it is stored."""
    return {TYPE: CONTROL, "event": FLUSH, "marker": marker}


def is_control(message: Any) -> bool:
    """Whether ``message`` is one of provgraph's own control messages."""
    return isinstance(message, dict) and message.get(TYPE) == CONTROL


def marker_of(message: Any) -> str | None:
    """The marker of a flush control message, else ``None``."""
    if is_control(message) and message.get("event") == FLUSH:
        marker = message.get("marker")
        if isinstance(marker, str):
            return marker
    return None


def user_messages(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``messages`` without the control messages (what users see of a buffer)."""
    return [m for m in messages if not is_control(m)]


# --- Redis stream entries -----------------------------------------------------------------

FIELD_PAYLOAD: Final = b"p"  # the batch: a JSON array of messages
FIELD_BATCH: Final = b"id"  # the batch id, unique across processes


def encode_batch(batch: list[bytes]) -> bytes:
    """A batch of encoded messages as one JSON array (no re-encoding)."""
    return b"[" + b",".join(batch) + b"]"


__all__ = [
    "CONTROL",
    "ERROR",
    "FIELD_BATCH",
    "FIELD_PAYLOAD",
    "FINISHED",
    "FLUSH",
    "MESSAGE_KINDS",
    "RUNNING",
    "TASK",
    "TERMINAL_STATUSES",
    "TYPE",
    "WORKFLOW",
    "Status",
    "encode_batch",
    "flush_marker",
    "is_control",
    "marker_of",
    "user_messages",
]
