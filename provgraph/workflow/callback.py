"""Hooks around an execution and around each step that runs (Formed's callbacks).

Order: ``on_execution_start``, then for each step that runs ``on_step_start`` and
``on_step_end`` (also when it failed: ``step_context.state.status`` says so), then
``on_execution_end``. A step served from the cache runs no step hooks, as in Formed; its
outcome is in ``execution_context.outcomes``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from provgraph.core.registry import Registry
from provgraph.workflow.errors import WorkflowError

if TYPE_CHECKING:
    from provgraph.workflow.execution import WorkflowExecutionContext
    from provgraph.workflow.steps import WorkflowStepContext

CALLBACKS_GROUP = "provgraph.workflow.callbacks"


class WorkflowCallback:
    kind: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        CALLBACKS.register(cls.kind, cls)

    def on_execution_start(self, execution_context: WorkflowExecutionContext) -> None:
        """Once, before the first step."""

    def on_execution_end(self, execution_context: WorkflowExecutionContext) -> None:
        """Once, after the last step (also when a step failed)."""

    def on_step_start(self, step_context: WorkflowStepContext,
                      execution_context: WorkflowExecutionContext) -> None:
        """Before a step runs."""

    def on_step_end(self, step_context: WorkflowStepContext,
                    execution_context: WorkflowExecutionContext) -> None:
        """After a step ran (``step_context.state.status`` is completed or failure)."""


CALLBACKS: Registry[type[WorkflowCallback]] = Registry("workflow callback", CALLBACKS_GROUP,
                                                       WorkflowError, base=WorkflowCallback)


class EmptyWorkflowCallback(WorkflowCallback):
    kind = "empty"


class MultiWorkflowCallback(WorkflowCallback):
    """Calls each callback in order, for every hook."""

    kind = "multi"

    def __init__(self, callbacks: Sequence[WorkflowCallback] = ()) -> None:
        self.callbacks = list(callbacks)

    def on_execution_start(self, execution_context: WorkflowExecutionContext) -> None:
        for callback in self.callbacks:
            callback.on_execution_start(execution_context)

    def on_execution_end(self, execution_context: WorkflowExecutionContext) -> None:
        for callback in self.callbacks:
            callback.on_execution_end(execution_context)

    def on_step_start(self, step_context: WorkflowStepContext,
                      execution_context: WorkflowExecutionContext) -> None:
        for callback in self.callbacks:
            callback.on_step_start(step_context, execution_context)

    def on_step_end(self, step_context: WorkflowStepContext,
                    execution_context: WorkflowExecutionContext) -> None:
        for callback in self.callbacks:
            callback.on_step_end(step_context, execution_context)
