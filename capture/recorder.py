"""The process-wide recorder: settings, the hub they name, and the batching buffer.

Decorators, loops and explicit tasks hand finished messages to :func:`record` (encoded
at once, so a mutable input is recorded as it was when the task ran). The buffer's
worker passes batches to the hub. Nothing here ever raises into user code: a message
that cannot be recorded is counted and logged once.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections import OrderedDict
from typing import Any

from capture import context, handoff, ids
from capture.buffer import BatchBuffer
from capture.hubs.base import Encoded, Hub, create_hub
from capture.serialize import dumps, set_max_value_bytes
from provgraph.core.config import Settings, get_settings, set_settings

log = logging.getLogger(__name__)


class RawData:
    """Raw task ``data`` (bytes) kept in this process, by task id, within a byte budget.

    The wire carries only their :func:`provgraph.core.wire.data_ref`; ``Flowcept.get_buffer()``
    puts the bytes back into the task dicts, as Flowcept's in-memory buffer has them.
    """

    def __init__(self, budget: int) -> None:
        self.budget = max(int(budget), 0)
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        self._warned = False

    def keep(self, task_id: str, raw: bytes) -> None:
        with self._lock:
            old = self._items.pop(task_id, None)
            if old is not None:
                self._size -= len(old)
            self._items[task_id] = raw
            self._size += len(raw)
            while self._size > self.budget and self._items:
                _, dropped = self._items.popitem(last=False)
                self._size -= len(dropped)
                if not self._warned:
                    self._warned = True
                    log.warning("raw task data past buffer.keep_data_bytes (%s bytes): the "
                                "oldest is no longer in get_buffer()", self.budget)

    def get(self, task_id: str) -> bytes | None:
        with self._lock:
            return self._items.get(task_id)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._size = 0


class Recorder:
    """Owns one hub and one buffer; ``record`` is safe from any thread."""

    def __init__(self, settings: Settings, hub: Hub | None = None) -> None:
        self.settings = settings
        set_max_value_bytes(settings.instrumentation.max_value_bytes)
        handoff.set_capacity(settings.instrumentation.passed_objects)
        handoff.clear()  # objects produced under other settings (another run) say nothing
        self.hub = hub if hub is not None else create_hub(settings)
        cfg = settings.buffer
        self.buffer = BatchBuffer(
            self._export,
            max_batch=cfg.max_batch,
            flush_interval_s=cfg.flush_interval_s,
            max_queue=cfg.max_queue,
        )
        self.errors = 0
        self.raw_data = RawData(cfg.keep_data_bytes)

    def _export(self, batch: list[Encoded | dict[str, Any]]) -> None:
        # A lightweight task queues its message unencoded: it is encoded here, in the
        # buffer's worker (or the flush), in order; one that cannot be encoded is counted
        # and left out, as a failed capture is at call time.
        if all(type(item) is bytes for item in batch):
            self.hub.emit(batch)  # type: ignore[arg-type]
            return
        encoded: list[Encoded] = []
        for item in batch:
            if type(item) is bytes:
                encoded.append(item)
                continue
            try:
                encoded.append(dumps(item))
            except Exception as exc:
                self.count_error("encoding a lightweight task failed: %s", exc)
        if encoded:
            self.hub.emit(encoded)

    def record(self, message: dict[str, Any]) -> None:
        try:
            self.buffer.add(dumps(message))
        except Exception as exc:  # never into user code
            self.count_error("recording a message failed: %s", exc)

    def count_error(self, fmt: str, *args: Any) -> None:
        self.errors += 1
        if self.errors == 1:
            log.warning(fmt + " (further capture errors are only counted)", *args)
        else:
            log.debug(fmt, *args)

    def flush(self, timeout: float | None = 30.0) -> bool:
        return self.buffer.force_flush(timeout)

    def close(self, timeout: float | None = 30.0) -> None:
        self.buffer.shutdown(timeout)
        self.hub.close()


class _State:
    """Module state read on every captured call; kept in one object for cheap access."""

    __slots__ = ("enabled", "recorder", "telemetry")

    def __init__(self) -> None:
        self.recorder: Recorder | None = None
        self.enabled: bool | None = None  # None: not resolved yet
        self.telemetry = False


STATE = _State()
_lock = threading.RLock()


def active() -> Recorder | None:
    """The recorder, created on first use; ``None`` when instrumentation is off."""
    recorder = STATE.recorder
    if recorder is not None:
        return recorder
    if STATE.enabled is False:
        return None
    with _lock:
        if STATE.recorder is None:
            settings = get_settings()
            STATE.enabled = settings.instrumentation.enabled
            STATE.telemetry = settings.instrumentation.telemetry.enabled
            if not STATE.enabled:
                return None
            STATE.recorder = Recorder(settings)
        return STATE.recorder


def record(message: dict[str, Any]) -> None:
    recorder = active()
    if recorder is not None:
        recorder.record(message)


def configure(settings: Settings | None = None, hub: Hub | None = None) -> Recorder | None:
    """Flush and replace the recorder (new settings and/or an explicit hub)."""
    with _lock:
        old = STATE.recorder
        if old is not None:
            old.close()
        STATE.recorder = None
        STATE.enabled = None
        set_settings(settings)
        if hub is not None:
            resolved = get_settings()
            STATE.enabled = resolved.instrumentation.enabled
            STATE.telemetry = resolved.instrumentation.telemetry.enabled
            STATE.recorder = Recorder(resolved, hub)
            return STATE.recorder
        return active()


def flush(timeout: float | None = 30.0) -> bool:
    recorder = STATE.recorder
    return recorder.flush(timeout) if recorder is not None else True


# --- the implicit workflow of code that runs outside any ``Flowcept`` block ---------------

_implicit: context.WorkflowContext | None = None


def implicit_workflow() -> context.WorkflowContext:
    """A per-process workflow for tasks recorded outside ``with Flowcept()``.

    Its workflow message is sent once, so those tasks are not orphans in the graph.
    """
    global _implicit
    if _implicit is not None:
        return _implicit
    with _lock:
        if _implicit is None:
            from capture.workflow_message import build_workflow_message

            name = "implicit:" + os.path.basename(sys.argv[0] or "python")
            workflow = context.WorkflowContext(workflow_id=ids.new_uuid(), workflow_name=name)
            record(build_workflow_message(workflow, subtype="implicit"))
            _implicit = workflow
        return _implicit


def workflow_for_task() -> context.WorkflowContext:
    return context.current_workflow() or implicit_workflow()


def _after_fork_in_child() -> None:
    # The buffer renews itself (capture.buffer); the hub's locks may have been held by the
    # parent's export thread at the moment of the fork.
    recorder = STATE.recorder
    if recorder is not None:
        recorder.hub.reset_after_fork()


os.register_at_fork(after_in_child=_after_fork_in_child)
