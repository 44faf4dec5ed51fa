"""Cached step workflows (the Formed workflow guide), recorded in the provenance graph.

    from provgraph import workflow

    @workflow.step
    def add_two_integers(a: int, b: int) -> int:
        return a + b

    # config.jsonnet: { steps: { result: { type: 'add_two_integers', a: 1, b: 2 } } }
    # $ provgraph workflow run config.jsonnet

A step runs again only when its fingerprint changes: its normalized source and the
helpers it reaches, its arguments, its upstream steps' fingerprints (or, for a
non-deterministic upstream, the value it produced). Every execution is a workflow and
every step run or cache hit a task in the PROV graph, so ``provgraph workflow why STEP``
can say what changed. Configs need ``pip install 'provgraph[workflow]'`` (colt, rjsonnet,
cloudpickle); ``import capture`` does not.
"""

from typing import TYPE_CHECKING

from provgraph.core.lazy import lazy_names

if TYPE_CHECKING:
    from provgraph.workflow.cache import (
        CacheEntry,
        EmptyWorkflowCache,
        FilesystemWorkflowCache,
        MemoryWorkflowCache,
        WorkflowCache,
    )
    from provgraph.workflow.callback import (
        EmptyWorkflowCallback,
        MultiWorkflowCallback,
        WorkflowCallback,
    )
    from provgraph.workflow.errors import WorkflowConfigError, WorkflowError, WorkflowStepError
    from provgraph.workflow.execution import (
        StepOutcome,
        WorkflowExecutionContext,
        WorkflowExecutionInfo,
        WorkflowExecutionMetadata,
        WorkflowExecutionState,
        WorkflowExecutionStatus,
        use_execution_context,
    )
    from provgraph.workflow.executor import DefaultWorkflowExecutor, WorkflowExecutor
    from provgraph.workflow.graph import Dependency, WorkflowGraph, WorkflowStepInfo
    from provgraph.workflow.organizer import (
        FilesystemWorkflowOrganizer,
        MemoryWorkflowOrganizer,
        WorkflowOrganizer,
    )
    from provgraph.workflow.result_formats import AutoFormat, JsonFormat, PickleFormat, ResultFormat
    from provgraph.workflow.runner import plan, prepare, run_workflow
    from provgraph.workflow.settings import (
        WorkflowEnvironment,
        WorkflowSettings,
        load_workflow_settings,
    )
    from provgraph.workflow.steps import (
        STEPS,
        WorkflowStep,
        WorkflowStepArgFlag,
        WorkflowStepContext,
        WorkflowStepResultFlag,
        WorkflowStepState,
        WorkflowStepStatus,
        step,
        use_step_context,
        use_step_logger,
        use_step_workdir,
    )

# Loaded on first use (PEP 562): every process that reads settings imports this package
# (its config.py declares the ``workflow`` section), and most never run a workflow.
_EXPORTS = {
    "AutoFormat": "provgraph.workflow.result_formats",
    "CacheEntry": "provgraph.workflow.cache",
    "DefaultWorkflowExecutor": "provgraph.workflow.executor",
    "Dependency": "provgraph.workflow.graph",
    "EmptyWorkflowCache": "provgraph.workflow.cache",
    "EmptyWorkflowCallback": "provgraph.workflow.callback",
    "FilesystemWorkflowCache": "provgraph.workflow.cache",
    "FilesystemWorkflowOrganizer": "provgraph.workflow.organizer",
    "ResultFormat": "provgraph.workflow.result_formats",
    "JsonFormat": "provgraph.workflow.result_formats",
    "load_workflow_settings": "provgraph.workflow.settings",
    "MemoryWorkflowCache": "provgraph.workflow.cache",
    "MemoryWorkflowOrganizer": "provgraph.workflow.organizer",
    "MultiWorkflowCallback": "provgraph.workflow.callback",
    "PickleFormat": "provgraph.workflow.result_formats",
    "plan": "provgraph.workflow.runner",
    "prepare": "provgraph.workflow.runner",
    "run_workflow": "provgraph.workflow.runner",
    "step": "provgraph.workflow.steps",
    "StepOutcome": "provgraph.workflow.execution",
    "STEPS": "provgraph.workflow.steps",
    "use_execution_context": "provgraph.workflow.execution",
    "use_step_context": "provgraph.workflow.steps",
    "use_step_logger": "provgraph.workflow.steps",
    "use_step_workdir": "provgraph.workflow.steps",
    "WorkflowCache": "provgraph.workflow.cache",
    "WorkflowCallback": "provgraph.workflow.callback",
    "WorkflowConfigError": "provgraph.workflow.errors",
    "WorkflowEnvironment": "provgraph.workflow.settings",
    "WorkflowError": "provgraph.workflow.errors",
    "WorkflowExecutionContext": "provgraph.workflow.execution",
    "WorkflowExecutionInfo": "provgraph.workflow.execution",
    "WorkflowExecutionMetadata": "provgraph.workflow.execution",
    "WorkflowExecutionState": "provgraph.workflow.execution",
    "WorkflowExecutionStatus": "provgraph.workflow.execution",
    "WorkflowExecutor": "provgraph.workflow.executor",
    "WorkflowGraph": "provgraph.workflow.graph",
    "WorkflowOrganizer": "provgraph.workflow.organizer",
    "WorkflowSettings": "provgraph.workflow.settings",
    "WorkflowStep": "provgraph.workflow.steps",
    "WorkflowStepArgFlag": "provgraph.workflow.steps",
    "WorkflowStepContext": "provgraph.workflow.steps",
    "WorkflowStepError": "provgraph.workflow.errors",
    "WorkflowStepInfo": "provgraph.workflow.graph",
    "WorkflowStepResultFlag": "provgraph.workflow.steps",
    "WorkflowStepState": "provgraph.workflow.steps",
    "WorkflowStepStatus": "provgraph.workflow.steps",
}


__getattr__, __dir__ = lazy_names(__name__, globals(), _EXPORTS)


__all__ = [
    "STEPS",
    "AutoFormat",
    "CacheEntry",
    "DefaultWorkflowExecutor",
    "Dependency",
    "EmptyWorkflowCache",
    "EmptyWorkflowCallback",
    "FilesystemWorkflowCache",
    "FilesystemWorkflowOrganizer",
    "JsonFormat",
    "MemoryWorkflowCache",
    "MemoryWorkflowOrganizer",
    "MultiWorkflowCallback",
    "PickleFormat",
    "ResultFormat",
    "StepOutcome",
    "WorkflowCache",
    "WorkflowCallback",
    "WorkflowConfigError",
    "WorkflowEnvironment",
    "WorkflowError",
    "WorkflowExecutionContext",
    "WorkflowExecutionInfo",
    "WorkflowExecutionMetadata",
    "WorkflowExecutionState",
    "WorkflowExecutionStatus",
    "WorkflowExecutor",
    "WorkflowGraph",
    "WorkflowOrganizer",
    "WorkflowSettings",
    "WorkflowStep",
    "WorkflowStepArgFlag",
    "WorkflowStepContext",
    "WorkflowStepError",
    "WorkflowStepInfo",
    "WorkflowStepResultFlag",
    "WorkflowStepState",
    "WorkflowStepStatus",
    "load_workflow_settings",
    "plan",
    "prepare",
    "run_workflow",
    "step",
    "use_execution_context",
    "use_step_context",
    "use_step_logger",
    "use_step_workdir",
]
