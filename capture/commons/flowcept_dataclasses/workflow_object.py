"""``flowcept.commons.flowcept_dataclasses.workflow_object``: ``WorkflowObject``."""

from capture.messages import WorkflowObject

__all__ = ["WorkflowObject"]
