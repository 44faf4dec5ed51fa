"""Message objects: the Flowcept task and workflow schemas as dataclasses.

On the wire a message is a plain dict (its ``to_dict()``) with ``type`` set to ``task``
or ``workflow`` (:mod:`provgraph.core.wire`); ``None`` fields are left out to keep batches
small. ``Status`` is the wire's.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, ClassVar

from provgraph.core import wire
from provgraph.core.errors import ArgumentError
from provgraph.core.wire import Status


def _drop_none(obj: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        if value is not None:
            out[f.name] = value.value if isinstance(value, Status) else value
    return out


def _from_dict(cls: type, data: dict[str, Any], what: str) -> Any:
    if not isinstance(data, dict):
        raise ArgumentError(f"{what}.from_dict: argument must be a dict, got {type(data).__name__}")
    names = {f.name for f in dataclasses.fields(cls)}
    known = {k: v for k, v in data.items() if k in names and k != "type"}
    extra = {k: v for k, v in data.items() if k not in names and k != "type"}
    obj = cls(**known)
    if extra:
        obj.extra = {**(obj.extra or {}), **extra}
    return obj


@dataclass(slots=True)
class TaskObject:
    """One provenance task: inputs, outputs, timing, status, telemetry and environment."""

    type: ClassVar[str] = wire.TASK

    task_id: str | None = None
    workflow_id: str | None = None
    workflow_name: str | None = None
    campaign_id: str | None = None
    activity_id: str | None = None
    subtype: str | None = None
    parent_task_id: str | None = None
    group_id: str | None = None
    agent_id: str | None = None
    source_agent_id: str | None = None
    adapter_id: str | None = None
    used: dict[str, Any] | None = None
    generated: dict[str, Any] | None = None
    data: Any = None
    dependencies: list[str] | None = None
    dependents: list[str] | None = None
    submitted_at: float | None = None
    started_at: float | None = None
    ended_at: float | None = None
    registered_at: float | None = None
    utc_timestamp: float | None = None
    status: Status | str | None = None
    stdout: Any = None
    stderr: Any = None
    telemetry_at_start: dict[str, Any] | None = None
    telemetry_at_end: dict[str, Any] | None = None
    custom_metadata: dict[str, Any] | None = None
    tags: list[str] | None = None
    user: str | None = None
    login_name: str | None = None
    hostname: str | None = None
    node_name: str | None = None
    private_ip: str | None = None
    public_ip: str | None = None
    address: str | None = None
    mq_host: str | None = None
    environment_id: str | None = None
    code: dict[str, Any] | None = None  # provgraph: module, qualname, source hash of the plan
    extra: dict[str, Any] | None = None  # fields not in the schema, kept on round trips

    def to_dict(self) -> dict[str, Any]:
        out = _drop_none(self)
        out[wire.TYPE] = wire.TASK
        return out

    serialize = to_dict

    @staticmethod
    def from_dict(task_obj_dict: dict[str, Any]) -> TaskObject:
        obj: TaskObject = _from_dict(TaskObject, task_obj_dict, "TaskObject")
        return obj

    @staticmethod
    def task_id_field() -> str:
        return "task_id"

    @staticmethod
    def workflow_id_field() -> str:
        return "workflow_id"

    @staticmethod
    def get_time_field_names() -> list[str]:
        return ["started_at", "ended_at", "submitted_at", "registered_at", "utc_timestamp"]

    @staticmethod
    def get_dict_field_names() -> list[str]:
        return ["used", "generated", "custom_metadata", "telemetry_at_start", "telemetry_at_end"]


@dataclass(slots=True)
class WorkflowObject:
    """Metadata of one workflow run: who, where, with which code and settings."""

    type: ClassVar[str] = wire.WORKFLOW

    workflow_id: str | None = None
    name: str | None = None
    used: dict[str, Any] | None = None
    generated: dict[str, Any] | None = None
    parent_workflow_id: str | None = None
    campaign_id: str | None = None
    subtype: str | None = None
    adapter_id: str | None = None
    interceptor_ids: list[str] | None = None
    user: str | None = None
    agent_id: str | None = None
    machine_info: dict[str, Any] | None = None
    conf: dict[str, Any] | None = None
    flowcept_settings: dict[str, Any] | None = None
    flowcept_version: str | None = None
    code_repository: dict[str, Any] | None = None
    custom_metadata: dict[str, Any] | None = None
    environment_id: str | None = None
    sys_name: str | None = None
    node_name: str | None = None
    hostname: str | None = None
    login_name: str | None = None
    private_ip: str | None = None
    public_ip: str | None = None
    extra_metadata: str | None = None
    utc_timestamp: float | None = None
    started_at: float | None = None
    ended_at: float | None = None
    status: Status | str | None = None
    extra: dict[str, Any] | None = field(default=None)

    def to_dict(self) -> dict[str, Any]:
        out = _drop_none(self)
        out[wire.TYPE] = wire.WORKFLOW
        return out

    serialize = to_dict

    @staticmethod
    def from_dict(dict_obj: dict[str, Any]) -> WorkflowObject:
        obj: WorkflowObject = _from_dict(WorkflowObject, dict_obj, "WorkflowObject")
        return obj

    deserialize = from_dict

    @staticmethod
    def workflow_id_field() -> str:
        return "workflow_id"


TASK_FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(TaskObject))
WORKFLOW_FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(WorkflowObject))
