"""The wire: what producers send and keepers read, written down in one place.

A message is a JSON object (orjson) with a ``type``:

* ``task`` and ``workflow``: the Flowcept task and workflow schemas (``capture.messages``
  holds them as dataclasses);
* ``control``: provgraph's own messages, never shown to users (``read_buffer_file`` and
  ``get_buffer`` leave them out) and never stored as provenance;
* ``openlineage``: one OpenLineage run event, as its client sent it, under ``event``
  (:func:`openlineage_message`); ``prov_model.openlineage`` maps it.

A hub entry carries a batch. The Redis hubs' stream entries have two fields:
:data:`FIELD_PAYLOAD` (the batch as one JSON array) and :data:`FIELD_BATCH` (the batch id,
unique across processes, for de-duplicating replays). The file hub writes one message per
line.

Completeness: a batch id is ``<producer id>.<sequence>`` (:func:`batch_id`): every
producer (one hub in one process) numbers its stream entries 1, 2, 3... without a hole,
so a keeper that records which ones it stored can name every missing one
(``provgraph verify``). A producer that closes its hub says how far it counted with a
:func:`producer_end` control message (itself the last number), so a lost last batch is
a gap too.

    >>> batch_id("host-12-ab", 7), parse_batch_id("my.host-12-ab.7")
    ('host-12-ab.7', ('my.host-12-ab', 7))
    >>> parse_batch_id("no sequence") is None
    True

    >>> flush_marker("m1")
    {'type': 'control', 'event': 'flush', 'marker': 'm1'}
    >>> marker_of(flush_marker("m1"))
    'm1'
    >>> workflow_end("w1", 2.0, FINISHED)
    {'type': 'control', 'event': 'workflow_end', 'workflow_id': 'w1', 'ended_at': 2.0, \
'status': 'FINISHED'}

Raw bytes given as a task's ``data`` never travel: the message carries their
:func:`data_ref` (hash, size, media type) under :data:`DATA_REF`, and the bytes stay in
the producing process (``Flowcept.get_buffer()`` gives them back, as Flowcept does).
"""

from __future__ import annotations

import hashlib
import mimetypes
from collections.abc import Mapping
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
OPENLINEAGE: Final = "openlineage"
MESSAGE_KINDS: Final = (TASK, WORKFLOW, CONTROL, OPENLINEAGE)


def openlineage_message(event: Mapping[str, Any]) -> dict[str, Any]:
    """The message carrying one OpenLineage run event through a hub to a keeper.

    The event travels as the client wrote it (the keeper maps it), so the hub's file or
    stream keeps what was received.
    """
    return {TYPE: OPENLINEAGE, "event": event}

# --- control messages ---------------------------------------------------------------------

# A flush marker: "tell me when everything I sent before this is stored"
# (``Flowcept(check_safe_stops=True)``). A keeper confirms ``marker`` once the write that
# holds the marker has committed.
FLUSH: Final = "flush"


# The end of a workflow run: ``Flowcept.stop()`` of the run that sent the workflow message
# records when it ended and how (``FINISHED``, or ``ERROR`` when an exception left the
# ``with`` block). A control message, so the message counts users see do not change; the
# keeper maps it onto the workflow node (``prov_model.tables.CONTROL_EVENTS``).
WORKFLOW_END: Final = "workflow_end"
WORKFLOW_END_STATUSES: Final = frozenset({FINISHED, ERROR})


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


def workflow_end(workflow_id: str, ended_at: float, status: str,
                 stderr: str | None = None) -> dict[str, Any]:
    """The control message recording the end of workflow ``workflow_id``."""
    if not isinstance(workflow_id, str) or not workflow_id:
        raise ValueError(f"workflow_id must be a non-empty string, got {workflow_id!r}")
    if status not in WORKFLOW_END_STATUSES:
        raise ValueError(f"a workflow ends FINISHED or ERROR, got {status!r}")
    message: dict[str, Any] = {TYPE: CONTROL, "event": WORKFLOW_END, "workflow_id": workflow_id,
                               "ended_at": float(ended_at), "status": str(status)}
    if stderr:
        message["stderr"] = stderr
    return message


# The last message of a producer: its hub closed after ``last_seq`` numbered batches
# (this one included), so the batches up to ``last_seq`` are all there is to expect, and
# the ones before it held ``messages`` messages in all.
PRODUCER_END: Final = "producer_end"


def producer_end(producer: str, last_seq: int, messages: int) -> dict[str, Any]:
    """The control message closing the sequence of ``producer`` at ``last_seq``."""
    return {TYPE: CONTROL, "event": PRODUCER_END, "producer": producer, "last_seq": last_seq,
            "messages": messages}


def is_workflow_end(message: Any) -> bool:
    """Whether ``message`` is a workflow-end control message."""
    return is_control(message) and message.get("event") == WORKFLOW_END


# --- raw task data --------------------------------------------------------------------------

DATA_REF: Final = "data_ref"  # the task field describing raw ``data`` bytes
BYTES_TYPES: Final = (bytes, bytearray, memoryview)
DEFAULT_MEDIA_TYPE: Final = "application/octet-stream"
# custom_metadata keys naming the media type, in order of trust (Flowcept documents
# "file_type", "file_name" and "extension" for data that holds file contents).
_MEDIA_TYPE_KEYS: Final = ("media_type", "mime_type", "content_type", "file_type")
_NAME_KEYS: Final = ("file_name", "extension")


def media_type(custom_metadata: Mapping[str, Any] | None) -> str:
    """The media type of a task's raw data, from its ``custom_metadata``.

    >>> media_type({"file_type": "image/png"}), media_type({"file_name": "a.csv"})
    ('image/png', 'text/csv')
    >>> media_type({"extension": "png"}), media_type(None)
    ('image/png', 'application/octet-stream')
    """
    if not isinstance(custom_metadata, Mapping):
        return DEFAULT_MEDIA_TYPE
    guesses: list[str] = []
    for key in _MEDIA_TYPE_KEYS:
        value = custom_metadata.get(key)
        if isinstance(value, str) and value:
            if "/" in value:
                return value.strip().lower()
            guesses.append(value)  # "png": an extension, not a media type
    for key in _NAME_KEYS:
        value = custom_metadata.get(key)
        if isinstance(value, str) and value:
            guesses.append(value)
    for guess in guesses:
        name = guess if "." in guess else f"data.{guess}"
        found, _ = mimetypes.guess_type(name, strict=False)
        if found:
            return found
    return DEFAULT_MEDIA_TYPE


def data_ref(raw: bytes | bytearray | memoryview,
             custom_metadata: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """What the wire carries of raw task data: its sha256, size and media type.

    >>> ref = data_ref(b"abc", {"file_type": "text/plain"})
    >>> ref["size_bytes"], ref["media_type"], ref["sha256"][:8]
    (3, 'text/plain', 'ba7816bf')
    """
    view = memoryview(raw)
    return {"sha256": hashlib.sha256(view).hexdigest(), "size_bytes": view.nbytes,
            "media_type": media_type(custom_metadata)}


def user_messages(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``messages`` without the control messages (what users see of a buffer)."""
    return [m for m in messages if not is_control(m)]


# --- Redis stream entries -----------------------------------------------------------------

FIELD_PAYLOAD: Final = b"p"  # the batch: a JSON array of messages
FIELD_BATCH: Final = b"id"  # the batch id, unique across processes


def new_producer_id() -> str:
    """A producer id unique across machines and processes: ``<host>-<pid>-<random>``."""
    import os
    import socket

    return f"{socket.gethostname()}-{os.getpid()}-{os.urandom(4).hex()}"


def batch_id(producer: str, seq: int) -> str:
    """The id of the ``seq``-th batch (from 1) of ``producer``."""
    return f"{producer}.{seq}"


def parse_batch_id(value: str) -> tuple[str, int] | None:
    """``(producer, sequence)`` of a batch id, or ``None`` if it has no sequence number."""
    producer, _, seq = value.rpartition(".")
    if not producer or not seq.isdigit():
        return None
    return producer, int(seq)


_WORKFLOW_KEY: Final = b'"workflow_id":"'


def workflow_of(encoded: bytes) -> str | None:
    """The ``workflow_id`` of one encoded message, read from its bytes without decoding
    (the cluster hub routes every message by it). Flowcept's message classes write
    ``workflow_id`` before any user value, so the first occurrence is the message's own;
    an id with escaped quotes is not read (``None``: the caller routes it otherwise)."""
    start = encoded.find(_WORKFLOW_KEY)
    if start < 0:
        return None
    start += len(_WORKFLOW_KEY)
    end = encoded.find(b'"', start)
    if end <= start or encoded[end - 1] == 0x5C:  # empty, or an escaped quote
        return None
    return encoded[start:end].decode(errors="replace")


def encode_batch(batch: list[bytes]) -> bytes:
    """A batch of encoded messages as one JSON array (no re-encoding)."""
    return b"[" + b",".join(batch) + b"]"


__all__ = [
    "BYTES_TYPES",
    "CONTROL",
    "DATA_REF",
    "DEFAULT_MEDIA_TYPE",
    "ERROR",
    "FIELD_BATCH",
    "FIELD_PAYLOAD",
    "FINISHED",
    "FLUSH",
    "MESSAGE_KINDS",
    "OPENLINEAGE",
    "PRODUCER_END",
    "RUNNING",
    "TASK",
    "TERMINAL_STATUSES",
    "TYPE",
    "WORKFLOW",
    "WORKFLOW_END",
    "WORKFLOW_END_STATUSES",
    "Status",
    "batch_id",
    "data_ref",
    "encode_batch",
    "flush_marker",
    "is_control",
    "is_workflow_end",
    "marker_of",
    "media_type",
    "new_producer_id",
    "openlineage_message",
    "parse_batch_id",
    "producer_end",
    "user_messages",
    "workflow_end",
    "workflow_of",
]
