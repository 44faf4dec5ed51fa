"""``flowcept.instrumentation.task_capture``: explicit tasks."""

from capture.task import FlowceptTask

__all__ = ["FlowceptTask"]
