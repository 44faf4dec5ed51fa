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

from capture.workflow.cache import (
    CacheEntry,
    EmptyWorkflowCache,
    FilesystemWorkflowCache,
    MemoryWorkflowCache,
    WorkflowCache,
)
from capture.workflow.callback import EmptyWorkflowCallback, MultiWorkflowCallback, WorkflowCallback
from capture.workflow.errors import WorkflowConfigError, WorkflowError, WorkflowStepError
from capture.workflow.executor import (
    DefaultWorkflowExecutor,
    StepOutcome,
    WorkflowExecutionContext,
    WorkflowExecutionInfo,
    WorkflowExecutionMetadata,
    WorkflowExecutionState,
    WorkflowExecutionStatus,
    WorkflowExecutor,
    use_execution_context,
)
from capture.workflow.formats import AutoFormat, Format, JsonFormat, PickleFormat
from capture.workflow.graph import Dependency, WorkflowGraph, WorkflowStepInfo
from capture.workflow.organizer import (
    FilesystemWorkflowOrganizer,
    MemoryWorkflowOrganizer,
    WorkflowOrganizer,
)
from capture.workflow.runner import plan, prepare, run_workflow
from capture.workflow.settings import WorkflowEnvironment, WorkflowSettings, load_workflow_settings
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
