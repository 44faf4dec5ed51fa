"""Loop instrumentation: ``FlowceptLoop`` (a task per iteration, streamed) and
``FlowceptLightweightLoop`` (tasks pre-allocated, published once at the end).

As in Flowcept, both publish exactly one task per iteration
(``activity_id=<loop_name>_iteration``, ``used={'i': index, item_name: item}``,
``subtype='iteration'``) and no task for the loop as a whole: what the iterations of one
loop share is their ``group_id``. An empty loop publishes nothing. An iteration's parent
is ``parent_task_id``, else the task running where the loop was made; tasks called inside
a ``FlowceptLoop`` iteration get the iteration as their parent. With capture off
(settings or ``capture_enabled=False``) they are plain iterators and ``end_iter`` does
nothing.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterable, Iterator
from contextvars import Token
from typing import Any

from capture import context, handoff, recorder
from capture.ids import new_task_id, new_uuid
from capture.telemetry import capture_telemetry
from provgraph.core import wire
from provgraph.core.config import get_settings
from provgraph.core.errors import ArgumentError


def _items_and_length(
    items: Any, items_length: int, lightweight: bool
) -> tuple[Iterator[Any], int]:
    if isinstance(items, bool) or items is None:
        raise ArgumentError(f"items must be an int, a sized iterable or an iterator, got {items!r}")
    if isinstance(items, int):
        return iter(range(items)), max(items, 0)
    if not isinstance(items_length, int) or items_length < 0:
        raise ArgumentError(f"items_length must be a non-negative int, got {items_length!r}")
    if hasattr(items, "__len__"):
        return iter(items), len(items)
    if isinstance(items, Iterator):
        if items_length:
            return items, items_length
        if lightweight:
            raise ArgumentError(
                "FlowceptLightweightLoop needs items_length when items is an iterator"
            )
        materialized = list(items)  # documented: a pure iterator without a length
        return iter(materialized), len(materialized)
    if isinstance(items, Iterable):
        materialized = list(items)
        return iter(materialized), len(materialized)
    raise ArgumentError(
        f"items must be an int, a sized iterable or an iterator, got {type(items).__name__}"
    )


class _LoopBase:
    """What both loops share: arguments, the iteration tasks, the enabled switch."""

    _lightweight = False

    def __init__(
        self,
        items: Any,
        loop_name: str = "loop",
        item_name: str = "item",
        parent_task_id: str | None = None,
        workflow_id: str | None = None,
        items_length: int = 0,
        capture_enabled: bool = True,
    ) -> None:
        if not isinstance(loop_name, str) or not isinstance(item_name, str):
            raise ArgumentError("loop_name and item_name must be str")
        self._iterator, self._length = _items_and_length(items, items_length, self._lightweight)
        self._loop_name = loop_name
        self._item_name = item_name
        self._index = 0
        self._current: dict[str, Any] | None = None
        self._enabled = bool(capture_enabled) and recorder.active() is not None
        if not self._enabled:
            self.end_iter = self._end_iter_disabled  # type: ignore[method-assign]
            return
        workflow = context.current_workflow()
        if workflow is None and workflow_id is None:
            workflow = recorder.implicit_workflow()
        self._workflow_id = workflow_id or (workflow.workflow_id if workflow else None)
        self._campaign_id = workflow.campaign_id if workflow else None
        # Flowcept's group_id: what the iterations of this loop share (not a task).
        self.group_id = new_uuid()
        self._parent_task_id = parent_task_id or context.current_task_id()

    def __len__(self) -> int:
        return self._length

    def __iter__(self) -> _LoopBase:
        return self

    def __next__(self) -> Any:
        raise NotImplementedError

    def _iteration_task(self, item: Any) -> dict[str, Any]:
        task: dict[str, Any] = {
            wire.TYPE: wire.TASK,
            "task_id": new_task_id(),
            "workflow_id": self._workflow_id,
            "activity_id": f"{self._loop_name}_iteration",
            "subtype": "iteration",
            "group_id": self.group_id,
            "used": {"i": self._index, self._item_name: item},
            "started_at": time.time(),
        }
        if self._parent_task_id:
            task["parent_task_id"] = self._parent_task_id
        if self._campaign_id:
            task["campaign_id"] = self._campaign_id
        handoff.link_used(task)  # the item may be an earlier task's output
        return task

    def get_current_iteration_id(self) -> str | None:
        return self._current["task_id"] if self._current else None

    def end_iter(self, generated_value: dict[str, Any]) -> None:
        """Attach the values produced in this iteration (``generated``)."""
        if not isinstance(generated_value, dict):
            raise ArgumentError(
                f"end_iter expects a dict, got {type(generated_value).__name__}"
            )
        if self._current is not None:
            self._current["generated"] = {**self._current.get("generated", {}), **generated_value}

    def _end_iter_disabled(self, generated_value: dict[str, Any] | None = None) -> None:
        return None


class FlowceptLoop(_LoopBase):
    """Streams one task per iteration (with telemetry when enabled)."""

    def __init__(self, items: Any, loop_name: str = "loop", item_name: str = "item",
                 parent_task_id: str | None = None, workflow_id: str | None = None,
                 items_length: int = 0, capture_enabled: bool = True) -> None:
        super().__init__(items, loop_name, item_name, parent_task_id, workflow_id,
                         items_length, capture_enabled)
        self._telemetry = self._enabled and recorder.STATE.telemetry
        self._started = False
        self._done = False
        self._scope: Token[str | None] | None = None  # the iteration is the current task

    def __next__(self) -> Any:
        if not self._enabled:
            return next(self._iterator)
        self._close_iteration()
        try:
            item = next(self._iterator)
        except StopIteration:
            self._done = True
            raise
        self._started = True
        self._current = self._iteration_task(item)
        self._scope = context.TASK.set(self._current["task_id"])
        if self._telemetry:
            self._current["telemetry_at_start"] = capture_telemetry(
                get_settings().instrumentation.telemetry
            )
        self._index += 1
        return item

    def _close_iteration(self) -> None:
        task = self._current
        if task is None:
            return
        self._current = None
        if self._scope is not None:
            with contextlib.suppress(ValueError):  # next() called from another context
                context.TASK.reset(self._scope)
            self._scope = None
        task["ended_at"] = time.time()
        task["status"] = wire.FINISHED
        if "telemetry_at_start" in task:
            task["telemetry_at_end"] = capture_telemetry(get_settings().instrumentation.telemetry)
        generated = task.get("generated")
        if generated:
            handoff.produced_all(generated, task["task_id"])
        recorder.record(task)

    def __del__(self) -> None:
        # A loop left early by ``break``: publish the open iteration.
        try:
            if self._enabled and self._started and not self._done:
                self._done = True
                self._close_iteration()
        except Exception:  # never from a finalizer
            pass


class FlowceptLightweightLoop(_LoopBase):
    """Pre-allocates one task per iteration and publishes them all when the loop ends."""

    _lightweight = True

    def __init__(self, items: Any, loop_name: str = "loop", item_name: str = "item",
                 parent_task_id: str | None = None, workflow_id: str | None = None,
                 items_length: int = 0, capture_enabled: bool = True) -> None:
        super().__init__(items, loop_name, item_name, parent_task_id, workflow_id,
                         items_length, capture_enabled)
        if self._enabled:
            self._tasks: list[dict[str, Any]] = []
            self._published = False

    def __next__(self) -> Any:
        if not self._enabled:
            return next(self._iterator)
        try:
            item = next(self._iterator)
        except StopIteration:
            self._publish()
            raise
        task = self._iteration_task(item)
        task["status"] = wire.FINISHED
        self._tasks.append(task)
        self._current = task
        self._index += 1
        return item

    def _publish(self) -> None:
        if self._published:
            return
        self._published = True
        active = recorder.active()
        if active is None or not self._tasks:
            return
        now = time.time()
        for task in self._tasks:
            task["ended_at"] = now
            generated = task.get("generated")
            if generated:
                handoff.produced_all(generated, task["task_id"])
            active.record(task)
        self._tasks = []

    def __del__(self) -> None:
        try:
            if self._enabled and not self._published:
                self._publish()
        except Exception:
            pass
