"""Who is running now: the current workflow and the current (parent) task.

Both live in ``contextvars`` so they follow ``await`` and ``asyncio.gather`` and stay
separate per thread. Three small functions are the whole interface:

- :func:`current_workflow` — the workflow a new task belongs to;
- :func:`current_task_id` — the task a new task is nested in;
- :func:`task_scope` — one context manager (``with`` and ``async with``) that makes a task
  the current one for the code inside it.

Threads started by user code do not inherit a context, so the workflow falls back to the
process-wide one set by ``Flowcept.start()``.
"""

from __future__ import annotations

from contextvars import ContextVar, Token
from dataclasses import dataclass
from types import TracebackType


@dataclass(frozen=True, slots=True)
class WorkflowContext:
    workflow_id: str
    campaign_id: str | None = None
    workflow_name: str | None = None


_WORKFLOW: ContextVar[WorkflowContext | None] = ContextVar("provgraph_workflow", default=None)
_TASK: ContextVar[str | None] = ContextVar("provgraph_task", default=None)
# The decorators' hot path sets and resets this variable directly (what task_scope does,
# without the cost of a context-manager object per call).
TASK = _TASK
WORKFLOW = _WORKFLOW  # read directly too: ``WORKFLOW.get() or workflow_for_task()``
# Set inside the exporter thread and the capture machinery: capture never records itself.
SUPPRESSED: ContextVar[bool] = ContextVar("provgraph_suppressed", default=False)

_process_workflow: WorkflowContext | None = None


def suppress_capture() -> None:
    """Switch capture off in the current context (a thread of provgraph's own)."""
    SUPPRESSED.set(True)


def current_workflow() -> WorkflowContext | None:
    """The workflow of this context, else the process-wide one, else ``None``."""
    return _WORKFLOW.get() or _process_workflow


def current_task_id() -> str | None:
    """The id of the task whose code is running in this context, if any."""
    return _TASK.get()


class task_scope:
    """Make ``task_id`` the current task inside a ``with`` or ``async with`` block."""

    __slots__ = ("_task_id", "_token")

    def __init__(self, task_id: str) -> None:
        self._task_id = task_id
        self._token: Token[str | None] | None = None

    def __enter__(self) -> str:
        self._token = _TASK.set(self._task_id)
        return self._task_id

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._token is not None:
            _TASK.reset(self._token)
            self._token = None

    async def __aenter__(self) -> str:
        return self.__enter__()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.__exit__(exc_type, exc, tb)


# --- used by Flowcept.start()/stop(), not by user code ---------------------------------


WorkflowState = tuple[Token[WorkflowContext | None], WorkflowContext | None]


def enter_workflow(workflow: WorkflowContext) -> WorkflowState:
    """Make ``workflow`` current here and process-wide; returns what ``leave_workflow`` needs."""
    global _process_workflow
    previous = _process_workflow
    _process_workflow = workflow
    return _WORKFLOW.set(workflow), previous


def leave_workflow(state: WorkflowState) -> None:
    global _process_workflow
    token, previous = state
    try:
        _WORKFLOW.reset(token)
    except ValueError:  # stopped from another context (e.g. another thread or task)
        _WORKFLOW.set(None)
    _process_workflow = previous
