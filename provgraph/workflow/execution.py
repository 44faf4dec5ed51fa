"""What an execution is: its info, state and context, and each step's outcome.

``DefaultWorkflowExecutor`` (:mod:`provgraph.workflow.executor`) fills them; callbacks and
callers read them (``ctx.outcomes["model"].status``, ``ctx.results["model"]``).
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable, Iterator, Mapping
from enum import StrEnum
from typing import Any

from provgraph.core.version import __version__
from provgraph.workflow.cache import EmptyWorkflowCache, WorkflowCache
from provgraph.workflow.callback import EmptyWorkflowCallback, WorkflowCallback
from provgraph.workflow.errors import WorkflowError
from provgraph.workflow.fingerprint import FingerprintParts
from provgraph.workflow.graph import WorkflowGraph

RAN = "ran"
CACHED = "cached"
FAILED = "failed"


class WorkflowExecutionStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    FAILURE = "failure"
    CANCELED = "canceled"
    COMPLETED = "completed"


@dataclasses.dataclass
class WorkflowExecutionState:
    execution_id: str | None = None
    status: WorkflowExecutionStatus = WorkflowExecutionStatus.PENDING
    started_at: datetime.datetime | None = None
    finished_at: datetime.datetime | None = None


@dataclasses.dataclass(frozen=True)
class WorkflowExecutionMetadata:
    version: str = __version__
    config: str | None = None
    required_modules: tuple[str, ...] = ()


@dataclasses.dataclass
class WorkflowExecutionInfo:
    graph: WorkflowGraph
    id: str | None = None
    metadata: WorkflowExecutionMetadata = dataclasses.field(
        default_factory=WorkflowExecutionMetadata)


_UNSET: Any = object()


@dataclasses.dataclass
class StepOutcome:
    """What became of one step in an execution."""

    name: str
    status: str  # RAN, CACHED or FAILED
    reason: str
    fingerprint: str
    parts: FingerprintParts
    content_id: str | None = None
    task_id: str | None = None
    produced_by: str | None = None  # the task whose value a cache hit serves
    duration_s: float = 0.0
    preview: Any = None  # a small view of the result
    _value: Any = dataclasses.field(default=_UNSET, repr=False)
    _loader: Callable[[], Any] | None = dataclasses.field(default=None, repr=False)

    def value(self) -> Any:
        """The result (loaded from the cache on first use for a hit)."""
        if self._value is _UNSET:
            if self._loader is None:
                raise WorkflowError(f"step {self.name!r} has no result")
            self._value = self._loader()
        return self._value

    @property
    def loaded(self) -> bool:
        return self._value is not _UNSET


class _Results(Mapping[str, Any]):
    def __init__(self, outcomes: Mapping[str, StepOutcome]) -> None:
        self._outcomes = outcomes

    def __getitem__(self, name: str) -> Any:
        return self._outcomes[name].value()

    def __iter__(self) -> Iterator[str]:
        return (n for n, o in self._outcomes.items() if o.status != FAILED)

    def __len__(self) -> int:
        return sum(1 for _ in self)


@dataclasses.dataclass
class WorkflowExecutionContext:
    info: WorkflowExecutionInfo
    state: WorkflowExecutionState
    cache: WorkflowCache = dataclasses.field(default_factory=EmptyWorkflowCache)
    callback: WorkflowCallback = dataclasses.field(default_factory=EmptyWorkflowCallback)
    outcomes: dict[str, StepOutcome] = dataclasses.field(default_factory=dict)
    workflow_id: str | None = None  # the execution's workflow in the provenance graph

    @property
    def results(self) -> Mapping[str, Any]:
        return _Results(self.outcomes)


_current: list[WorkflowExecutionContext] = []


def use_execution_context() -> WorkflowExecutionContext | None:
    """The execution running now in this process, if any."""
    return _current[-1] if _current else None


def push_execution(ctx: WorkflowExecutionContext) -> None:
    """Make ``ctx`` the running execution (until :func:`pop_execution`)."""
    _current.append(ctx)


def pop_execution() -> None:
    _current.pop()
