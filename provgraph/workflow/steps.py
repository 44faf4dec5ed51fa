"""Steps: ``@workflow.step``, the registry of steps by name, and what a running step sees.

    from provgraph import workflow

    @workflow.step
    def add_two_integers(a: int, b: int) -> int:
        return a + b

The decorator registers the function and returns it unchanged (it can still be called
directly). ``use_step_context()``, ``use_step_logger()`` and ``use_step_workdir()`` give a
running step its metadata, a logger and a working directory of its own.
"""

from __future__ import annotations

import contextvars
import dataclasses
import datetime
import inspect
import logging
import typing
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar, overload

from provgraph.core.errors import ArgumentError
from provgraph.workflow.errors import WorkflowError

if TYPE_CHECKING:
    from provgraph.workflow.graph import WorkflowStepInfo
    from provgraph.workflow.result_formats import ResultFormat

F = TypeVar("F", bound=Callable[..., Any])

STEP_LOGGER_PREFIX = "provgraph.workflow.step"


class WorkflowStepArgFlag(StrEnum):
    """Marks on a step's parameters: ``Annotated[int, WorkflowStepArgFlag.IGNORE]``."""

    IGNORE = "ignore"  # not part of the fingerprint (device, verbosity, ...)


class WorkflowStepResultFlag(StrEnum):
    """Marks on a step's return annotation (Formed's name; ``METRICS`` is informative)."""

    METRICS = "metrics"


class WorkflowStepStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    FAILURE = "failure"
    CANCELED = "canceled"
    COMPLETED = "completed"
    CACHED = "cached"  # provgraph: served from the cache


@dataclasses.dataclass(frozen=True)
class WorkflowStepState:
    fingerprint: str
    status: WorkflowStepStatus = WorkflowStepStatus.PENDING
    started_at: datetime.datetime | None = None
    finished_at: datetime.datetime | None = None


@dataclasses.dataclass(frozen=True)
class WorkflowStepContext:
    """What a running step can ask about itself (``use_step_context()``)."""

    info: WorkflowStepInfo
    state: WorkflowStepState
    workdir: Path | None = None
    task_id: str | None = None  # its task in the provenance graph
    execution_id: str | None = None


class WorkflowStep:
    """A registered step: the function and how it is cached (Formed's class attributes as
    read-only properties: ``VERSION``, ``DETERMINISTIC``, ``CACHEABLE``, ``FUNCTION``)."""

    def __init__(
        self,
        name: str,
        function: Callable[..., Any],
        *,
        version: str | None = None,
        deterministic: bool = True,
        cacheable: bool | None = None,
        format: str | ResultFormat[Any] | None = None,
    ) -> None:
        self.name = name
        self.function = function
        self.version = version
        self.deterministic = deterministic
        self.cacheable = cacheable
        self.format_spec = format
        try:
            self.signature = inspect.signature(function)
        except (TypeError, ValueError) as exc:
            raise ArgumentError(f"step {name!r}: cannot read the signature: {exc}") from None
        self._hints: dict[bool, dict[str, Any]] = {}

    # Formed's spelling.
    VERSION = property(lambda self: self.version)
    DETERMINISTIC = property(lambda self: self.deterministic)
    CACHEABLE = property(lambda self: self.cacheable)
    FUNCTION = property(lambda self: self.function)

    @property
    def should_be_cached(self) -> bool:
        """Formed's rule: ``cacheable``, or deterministic when ``cacheable`` is not given."""
        return bool(self.cacheable) or (self.cacheable is None and self.deterministic)

    @property
    def module(self) -> str:
        return str(getattr(self.function, "__module__", "") or "")

    @property
    def qualname(self) -> str:
        return str(getattr(self.function, "__qualname__", self.name))

    @property
    def format(self) -> ResultFormat[Any]:
        from provgraph.workflow.result_formats import resolve_format

        return resolve_format(self.format_spec)

    def type_hints(self, *, extras: bool = False) -> dict[str, Any]:
        """The function's resolved type hints (read once; ``Annotated`` kept with ``extras``)."""
        found = self._hints.get(extras)
        if found is None:
            function: Any = self.function
            target = vars(function).get("__init__", function) if isinstance(function, type) \
                else function
            try:
                found = typing.get_type_hints(target, include_extras=extras)
            except Exception:  # unresolvable forward references: take the raw annotations
                found = dict(getattr(target, "__annotations__", {}))
            self._hints[extras] = found
        return found

    def parameters(self) -> dict[str, inspect.Parameter]:
        """The parameters a config may set (``*args``/``**kwargs`` excluded)."""
        return {
            name: p for name, p in self.signature.parameters.items()
            if p.kind not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
        }

    def accepts_any_keyword(self) -> bool:
        return any(p.kind is inspect.Parameter.VAR_KEYWORD
                   for p in self.signature.parameters.values())

    def get_ignore_args(self) -> frozenset[str]:
        """Parameters annotated ``Annotated[..., WorkflowStepArgFlag.IGNORE]``."""
        ignored = set()
        for name, hint in self.type_hints(extras=True).items():
            if typing.get_origin(hint) is Annotated and \
                    WorkflowStepArgFlag.IGNORE in typing.get_args(hint)[1:]:
                ignored.add(name)
        return frozenset(ignored)

    def get_output_type(self, field: str | None = None) -> Any:
        hint = self.function if isinstance(self.function, type) else \
            self.type_hints().get("return", Any)
        if field is None:
            return hint
        try:
            return typing.get_type_hints(hint).get(field, Any)
        except TypeError:
            return Any

    def get_source(self) -> str:
        return inspect.getsource(self.function)

    def get_normalized_source(self) -> str | None:
        from provgraph.workflow.source import normalized_source

        return normalized_source(self.function)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.function(*args, **kwargs)

    def __repr__(self) -> str:
        return f"WorkflowStep({self.name!r}, {self.module}:{self.qualname})"


class StepRegistry:
    """Registered steps by name; re-registering the same function (a module reload)
    replaces it, another function under a taken name is an error."""

    def __init__(self) -> None:
        self._steps: dict[str, WorkflowStep] = {}

    def register(self, step: WorkflowStep, *, exist_ok: bool = False) -> None:
        old = self._steps.get(step.name)
        if old is not None and not exist_ok and (old.module, old.qualname) != (
                step.module, step.qualname):
            raise ArgumentError(f"step name {step.name!r} is already registered by "
                                f"{old.module}:{old.qualname}")
        self._steps[step.name] = step

    def get(self, name: str) -> WorkflowStep:
        found = self._steps.get(name)
        if found is None:
            raise WorkflowError(f"unknown step type {name!r}; registered: "
                                f"{', '.join(sorted(self._steps)) or 'none'}")
        return found

    def __contains__(self, name: object) -> bool:
        return name in self._steps

    def names(self) -> list[str]:
        return sorted(self._steps)

    def items(self) -> list[tuple[str, WorkflowStep]]:
        return sorted(self._steps.items())

    def unregister(self, name: str) -> None:
        self._steps.pop(name, None)


STEPS = StepRegistry()


@overload
def step(name: F, *, version: str | None = ..., deterministic: bool = ...,
         cacheable: bool | None = ..., exist_ok: bool = ...,
         format: str | ResultFormat[Any] | None = ...) -> F: ...


@overload
def step(name: str | None = ..., *, version: str | None = ..., deterministic: bool = ...,
         cacheable: bool | None = ..., exist_ok: bool = ...,
         format: str | ResultFormat[Any] | None = ...) -> Callable[[F], F]: ...


def step(
    name: str | F | None = None,
    *,
    version: str | None = None,
    deterministic: bool = True,
    cacheable: bool | None = None,
    exist_ok: bool = False,
    format: str | ResultFormat[Any] | None = None,
) -> F | Callable[[F], F]:
    """Register a function as a workflow step (bare, or with Formed's options)."""
    for label, value, kind in (("version", version, str), ("deterministic", deterministic, bool)):
        if value is not None and not isinstance(value, kind):
            raise ArgumentError(f"{label} must be a {kind.__name__}, got {type(value).__name__}")
    if cacheable is not None and not isinstance(cacheable, bool):
        raise ArgumentError(f"cacheable must be a bool or None, got {type(cacheable).__name__}")

    def register(step_name: str, func: F) -> F:
        if not callable(func):
            raise ArgumentError(f"@workflow.step needs a function, got {type(func).__name__}")
        if format is not None:
            from provgraph.workflow.result_formats import resolve_format

            resolve_format(format)  # an unknown format name fails at decoration time
        STEPS.register(WorkflowStep(step_name, func, version=version,
                                    deterministic=deterministic, cacheable=cacheable,
                                    format=format), exist_ok=exist_ok)
        return func

    if callable(name):
        return register(getattr(name, "__name__", type(name).__name__), name)
    if name is not None and not isinstance(name, str):
        raise ArgumentError(f"name must be a str, got {type(name).__name__}")
    given: str | None = name

    def decorator(func: F) -> F:
        return register(given or str(getattr(func, "__name__", type(func).__name__)), func)

    return decorator


# --- what a running step sees --------------------------------------------------------------

_STEP_CONTEXT: contextvars.ContextVar[WorkflowStepContext | None] = contextvars.ContextVar(
    "provgraph_step_context", default=None)


def set_step_context(context: WorkflowStepContext | None) -> contextvars.Token[Any]:
    return _STEP_CONTEXT.set(context)


def reset_step_context(token: contextvars.Token[Any]) -> None:
    _STEP_CONTEXT.reset(token)


def use_step_context() -> WorkflowStepContext | None:
    """The running step's context (info, state, fingerprint), or ``None`` outside a step."""
    return _STEP_CONTEXT.get()


def step_logger_name(info: WorkflowStepInfo) -> str:
    return f"{STEP_LOGGER_PREFIX}.{info.name}"


@overload
def use_step_logger(default: str | logging.Logger) -> logging.Logger: ...


@overload
def use_step_logger(default: None = ...) -> logging.Logger | None: ...


def use_step_logger(default: str | logging.Logger | None = None) -> logging.Logger | None:
    """The running step's logger (``provgraph.workflow.step.<name>``); outside a step,
    ``default`` (a logger or a logger name) or ``None``."""
    context = use_step_context()
    if context is not None:
        return logging.getLogger(step_logger_name(context.info))
    if default is None:
        return None
    return logging.getLogger(default) if isinstance(default, str) else default


def use_step_workdir() -> Path:
    """A working directory of the running step's own (created on first use)."""
    context = use_step_context()
    if context is None or context.workdir is None:
        raise WorkflowError("use_step_workdir() is only available inside a running step")
    context.workdir.mkdir(parents=True, exist_ok=True)
    return context.workdir
