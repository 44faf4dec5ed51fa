"""Cached step workflows (the Formed workflow guide), recorded in the provenance graph.

    from capture import workflow

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

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from capture.workflow.cache import (
        CacheEntry,
        EmptyWorkflowCache,
        FilesystemWorkflowCache,
        MemoryWorkflowCache,
        WorkflowCache,
    )
    from capture.workflow.callback import (
        EmptyWorkflowCallback,
        MultiWorkflowCallback,
        WorkflowCallback,
    )
    from capture.workflow.errors import WorkflowConfigError, WorkflowError, WorkflowStepError
    from capture.workflow.execution import (
        StepOutcome,
        WorkflowExecutionContext,
        WorkflowExecutionInfo,
        WorkflowExecutionMetadata,
        WorkflowExecutionState,
        WorkflowExecutionStatus,
        use_execution_context,
    )
    from capture.workflow.executor import DefaultWorkflowExecutor, WorkflowExecutor
    from capture.workflow.formats import AutoFormat, Format, JsonFormat, PickleFormat
    from capture.workflow.graph import Dependency, WorkflowGraph, WorkflowStepInfo
    from capture.workflow.organizer import (
        FilesystemWorkflowOrganizer,
        MemoryWorkflowOrganizer,
        WorkflowOrganizer,
    )
    from capture.workflow.runner import plan, prepare, run_workflow
    from capture.workflow.settings import (
        WorkflowEnvironment,
        WorkflowSettings,
        load_workflow_settings,
    )
    from capture.workflow.steps import (
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
    "AutoFormat": "capture.workflow.formats",
    "CacheEntry": "capture.workflow.cache",
    "DefaultWorkflowExecutor": "capture.workflow.executor",
    "Dependency": "capture.workflow.graph",
    "EmptyWorkflowCache": "capture.workflow.cache",
    "EmptyWorkflowCallback": "capture.workflow.callback",
    "FilesystemWorkflowCache": "capture.workflow.cache",
    "FilesystemWorkflowOrganizer": "capture.workflow.organizer",
    "Format": "capture.workflow.formats",
    "JsonFormat": "capture.workflow.formats",
    "load_workflow_settings": "capture.workflow.settings",
    "MemoryWorkflowCache": "capture.workflow.cache",
    "MemoryWorkflowOrganizer": "capture.workflow.organizer",
    "MultiWorkflowCallback": "capture.workflow.callback",
    "PickleFormat": "capture.workflow.formats",
    "plan": "capture.workflow.runner",
    "prepare": "capture.workflow.runner",
    "run_workflow": "capture.workflow.runner",
    "step": "capture.workflow.steps",
    "StepOutcome": "capture.workflow.execution",
    "STEPS": "capture.workflow.steps",
    "use_execution_context": "capture.workflow.execution",
    "use_step_context": "capture.workflow.steps",
    "use_step_logger": "capture.workflow.steps",
    "use_step_workdir": "capture.workflow.steps",
    "WorkflowCache": "capture.workflow.cache",
    "WorkflowCallback": "capture.workflow.callback",
    "WorkflowConfigError": "capture.workflow.errors",
    "WorkflowEnvironment": "capture.workflow.settings",
    "WorkflowError": "capture.workflow.errors",
    "WorkflowExecutionContext": "capture.workflow.execution",
    "WorkflowExecutionInfo": "capture.workflow.execution",
    "WorkflowExecutionMetadata": "capture.workflow.execution",
    "WorkflowExecutionState": "capture.workflow.execution",
    "WorkflowExecutionStatus": "capture.workflow.execution",
    "WorkflowExecutor": "capture.workflow.executor",
    "WorkflowGraph": "capture.workflow.graph",
    "WorkflowOrganizer": "capture.workflow.organizer",
    "WorkflowSettings": "capture.workflow.settings",
    "WorkflowStep": "capture.workflow.steps",
    "WorkflowStepArgFlag": "capture.workflow.steps",
    "WorkflowStepContext": "capture.workflow.steps",
    "WorkflowStepError": "capture.workflow.errors",
    "WorkflowStepInfo": "capture.workflow.graph",
    "WorkflowStepResultFlag": "capture.workflow.steps",
    "WorkflowStepState": "capture.workflow.steps",
    "WorkflowStepStatus": "capture.workflow.steps",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'capture.workflow' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})


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
    "Format",
    "JsonFormat",
    "MemoryWorkflowCache",
    "MemoryWorkflowOrganizer",
    "MultiWorkflowCallback",
    "PickleFormat",
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
