"""``flowcept.instrumentation.task`` (the path the capture-methods page uses)."""

from capture.task import FlowceptTask

__all__ = ["FlowceptTask"]
