"""``flowcept.instrumentation.flowcept_agent_task``: agent tool calls as tasks."""

from capture.decorators import agent_flowcept_task

__all__ = ["agent_flowcept_task"]
