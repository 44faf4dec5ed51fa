"""``flowcept.instrumentation.flowcept_task``: the task decorators."""

from capture.context import current_task_id as get_current_context_task_id
from capture.decorators import (
    agent_flowcept_task,
    flowcept_task,
    lightweight_flowcept_task,
    telemetry_flowcept_task,
)

__all__ = [
    "agent_flowcept_task",
    "flowcept_task",
    "get_current_context_task_id",
    "lightweight_flowcept_task",
    "telemetry_flowcept_task",
]
