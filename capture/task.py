"""``FlowceptTask``: a task built by hand, for code that is not one function call."""

from __future__ import annotations

import time
from types import TracebackType
from typing import Any

from capture import context, handoff, recorder
from capture.context import task_scope
from capture.ids import new_task_id
from capture.messages import TaskObject
from capture.sysinfo import hostname
from capture.telemetry import capture_telemetry as take_telemetry
from provgraph.core import wire
from provgraph.core.config import get_settings
from provgraph.core.errors import ArgumentError
from provgraph.core.wire import Status

_END_FIELDS = ("generated", "ended_at", "stdout", "stderr", "status")


def _status(value: Status | str | None) -> Status | None:
    if value is None or isinstance(value, Status):
        return value
    try:
        return Status(str(value).upper())
    except ValueError:
        raise ArgumentError(
            f"status must be one of {', '.join(s.value for s in Status)}, got {value!r}"
        ) from None


class FlowceptTask:
    """A task you start, fill and end yourself; ``with`` makes it the parent of tasks run
    inside the block.

    Passing any end-like field (``generated``, ``ended_at``, ``stdout``, ``stderr``,
    ``status``) at construction ends the task at once (status ``FINISHED`` by default).
    ``end()`` records the end state and publishes; ``send()`` publishes a task that was not
    ended, with ``ended_at = started_at``.

    ``capture_telemetry``: ``None`` follows the settings, ``True``/``False`` takes or skips
    telemetry for this task alone. ``data`` (at construction or ``end()``) is raw data of
    the task: raw bytes stay in this process (``Flowcept.get_buffer()`` has them) and the
    message carries their hash, size and media type (``data_ref``; the media type comes
    from ``custom_metadata``: ``file_type``, ``media_type``, ``file_name``, ``extension``).
    """

    def __init__(
        self,
        task_id: str | None = None,
        workflow_id: str | None = None,
        campaign_id: str | None = None,
        activity_id: str | None = None,
        agent_id: Any = None,
        source_agent_id: Any = None,
        parent_task_id: str | None = None,
        used: dict[str, Any] | None = None,
        data: Any = None,
        subtype: str | None = None,
        hostname: str | None = None,
        tags: list[str] | None = None,
        adapter_id: str | None = None,
        custom_metadata: dict[str, Any] | None = None,
        generated: dict[str, Any] | None = None,
        started_at: float | None = None,
        ended_at: float | None = None,
        stdout: str | None = None,
        stderr: str | None = None,
        status: Status | str | None = None,
        capture_telemetry: bool | None = None,
    ) -> None:
        if capture_telemetry is not None and not isinstance(capture_telemetry, bool):
            raise ArgumentError(
                f"capture_telemetry must be True, False or None, got {capture_telemetry!r}"
            )
        for name, value in (("used", used), ("generated", generated),
                            ("custom_metadata", custom_metadata)):
            if value is not None and not isinstance(value, dict):
                raise ArgumentError(f"{name} must be a dict, got {type(value).__name__}")
        if tags is not None and not isinstance(tags, list | tuple | str):
            raise ArgumentError(f"tags must be a list of str, got {type(tags).__name__}")
        self._enabled = recorder.active() is not None
        workflow = context.current_workflow()
        if workflow is None and workflow_id is None and self._enabled:
            workflow = recorder.implicit_workflow()
        self._task = TaskObject(
            task_id=str(task_id) if task_id is not None else new_task_id(),
            workflow_id=workflow_id or (workflow.workflow_id if workflow else None),
            campaign_id=campaign_id or (workflow.campaign_id if workflow else None),
            activity_id=activity_id,
            agent_id=None if agent_id is None else str(agent_id),
            source_agent_id=None if source_agent_id is None else str(source_agent_id),
            parent_task_id=parent_task_id or context.current_task_id(),
            used=used,
            data=data,
            subtype=subtype,
            hostname=hostname or _hostname(),
            tags=[tags] if isinstance(tags, str) else (list(tags) if tags else None),
            adapter_id=adapter_id,
            custom_metadata=custom_metadata,
            started_at=started_at if started_at is not None else time.time(),
            status=Status.RUNNING,
        )
        telemetry = (get_settings().instrumentation.telemetry.enabled
                     if capture_telemetry is None else capture_telemetry)
        if self._enabled and telemetry:
            self._task.telemetry_at_start = take_telemetry(
                get_settings().instrumentation.telemetry
            )
        self._ended = False
        self._scope: task_scope | None = None
        if any(v is not None for v in (generated, ended_at, stdout, stderr, status)):
            self.end(generated=generated, ended_at=ended_at, stdout=stdout, stderr=stderr,
                     status=_status(status) or Status.FINISHED)

    # --- context manager -------------------------------------------------------------------

    def __enter__(self) -> FlowceptTask:
        assert self._task.task_id is not None
        self._scope = task_scope(self._task.task_id)
        self._scope.__enter__()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._scope is not None:
            self._scope.__exit__(exc_type, exc, tb)
            self._scope = None
        if not self._ended:
            if exc is not None:
                self.end(stderr=str(exc) or type(exc).__name__, status=Status.ERROR)
            else:
                self.end()

    # --- lifecycle ---------------------------------------------------------------------------

    def end(
        self,
        generated: dict[str, Any] | None = None,
        ended_at: float | None = None,
        stdout: str | None = None,
        stderr: str | None = None,
        data: Any = None,
        custom_metadata: dict[str, Any] | None = None,
        status: Status | str | None = None,
    ) -> None:
        """Record the end state (outputs, time, telemetry, status) and publish."""
        if generated is not None and not isinstance(generated, dict):
            raise ArgumentError(f"generated must be a dict, got {type(generated).__name__}")
        task = self._task
        if generated is not None:
            task.generated = {**(task.generated or {}), **generated}
        if data is not None:
            task.data = data
        if custom_metadata is not None:
            task.custom_metadata = {**(task.custom_metadata or {}), **custom_metadata}
        task.stdout = stdout if stdout is not None else task.stdout
        task.stderr = stderr if stderr is not None else task.stderr
        task.ended_at = ended_at if ended_at is not None else time.time()
        task.status = _status(status) or Status.FINISHED
        if task.telemetry_at_start is not None:
            task.telemetry_at_end = take_telemetry(get_settings().instrumentation.telemetry)
        self._publish()

    def send(self) -> None:
        """Publish a task that was not ended (``ended_at = started_at``)."""
        if self._ended:
            return
        self._task.ended_at = self._task.started_at
        self._task.status = Status.FINISHED
        self._publish()

    def _publish(self) -> None:
        if self._ended:
            return
        self._ended = True
        active = recorder.active() if self._enabled else None
        if active is None:
            return
        message = self._task.to_dict()
        _link_objects(message, self._task.used, self._task.generated)
        raw = message.get("data")
        if isinstance(raw, wire.BYTES_TYPES):
            del message["data"]
            try:
                message[wire.DATA_REF] = wire.data_ref(raw, self._task.custom_metadata)
                active.raw_data.keep(message["task_id"], bytes(raw))
            except Exception as exc:  # never into user code
                active.count_error("keeping the data of %s failed: %s", self._task.task_id, exc)
        active.record(message)

    # --- getters -------------------------------------------------------------------------

    def get_id(self) -> str | None:
        return self._task.task_id

    def get_workflow_id(self) -> str | None:
        return self._task.workflow_id

    def get_campaign_id(self) -> str | None:
        return self._task.campaign_id

    def get_agent_id(self) -> str | None:
        return self._task.agent_id

    def __repr__(self) -> str:
        task = self._task
        return f"FlowceptTask(task_id={task.task_id!r}, activity_id={task.activity_id!r})"


def _link_objects(message: dict[str, Any], used: Any, generated: Any) -> None:
    """Lineage by identity (:mod:`capture.handoff`), from the caller's own objects (the
    message holds copies)."""
    task_id = message.get("task_id")
    if not isinstance(task_id, str):
        return
    if isinstance(used, dict) and used:
        probe = {"task_id": task_id, "used": used,
                 "dependencies": message.get("dependencies")}
        handoff.link_used(probe)
        if "used_from" in probe:
            message["dependencies"] = probe["dependencies"]
            message["used_from"] = probe["used_from"]
    if isinstance(generated, dict):
        handoff.produced_all(generated, task_id)


def _hostname() -> str:
    return hostname()
