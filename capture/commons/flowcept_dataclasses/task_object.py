"""``flowcept.commons.flowcept_dataclasses.task_object``: ``TaskObject``."""

from capture.messages import TaskObject

__all__ = ["TaskObject"]
