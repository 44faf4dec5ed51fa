"""The task decorators of the Flowcept API.

``@flowcept_task`` records one task message per call (inputs, outputs, timing, status,
parent task, code plan, optional telemetry); ``@lightweight_flowcept_task`` records the
smallest complete message (id, inputs, outputs, end time, status), kept by reference and
encoded when its batch is exported (values as they are then, like Flowcept's), with a
per-workflow head of its fixed fields encoded once; ``@telemetry_flowcept_task`` always
takes telemetry; ``@agent_flowcept_task`` marks agent tool calls; ``@flowcept`` runs a
function as a whole workflow. Every decorator works with and without arguments, and on
``async def``.

Capture never changes what the function does: its result is returned and its exception
re-raised unchanged; a failure to record is counted and logged, never raised.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from time import time
from typing import Any, TypeVar, overload

from capture import ids
from capture.context import SUPPRESSED, TASK, WORKFLOW, WorkflowContext
from capture.handoff import _ENTRIES as _PRODUCED
from capture.handoff import link_used, produced, produced_all
from capture.recorder import STATE, active, workflow_for_task
from capture.serialize import dumps, head
from capture.taskspec import TaskSpec
from capture.telemetry import capture_telemetry
from provgraph.core import wire
from provgraph.core.config import get_settings
from provgraph.core.errors import ArgumentError

F = TypeVar("F", bound=Callable[..., Any])

_TASK_OPTIONS = frozenset({
    "output_names", "tags", "custom_metadata", "subtype", "workflow_id", "campaign_id",
    "agent_id", "source_agent_id", "args_handler", "telemetry",
    "agent_name", "source_agent_name",  # accepted for Flowcept compatibility, not recorded
})
_OVERRIDES = ("workflow_id", "campaign_id")


def _telemetry() -> dict[str, Any]:
    return capture_telemetry(get_settings().instrumentation.telemetry)


def _split_overrides(spec: TaskSpec, kwargs: dict[str, Any]) -> tuple[
    dict[str, Any], dict[str, Any]
]:
    """``workflow_id=``/``campaign_id=`` given at call time, and the kwargs for the call
    (without them, unless the function takes them)."""
    overrides = {k: kwargs[k] for k in _OVERRIDES if k in kwargs}
    if not spec.takes_override:
        kwargs = {k: v for k, v in kwargs.items() if k not in _OVERRIDES}
    return overrides, kwargs


def _start(spec: TaskSpec, args: tuple[Any, ...], kwargs: dict[str, Any],
           overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """The task message as the call starts (the hot path: keep it short). Its first key
    holds the spec's pre-encoded fixed fields (``spec.head``)."""
    workflow = WORKFLOW.get() or workflow_for_task()
    message: dict[str, Any] = {wire.TYPE: spec.head, "task_id": next(ids.task_ids)}
    if spec.fixed_ids or overrides:  # workflow_id/campaign_id from the decorator or call
        message.update(spec.fixed_ids)
        if overrides:
            message.update(overrides)
        if "workflow_id" not in message:
            message["workflow_id"] = workflow.workflow_id
        if "campaign_id" not in message and workflow.campaign_id:
            message["campaign_id"] = workflow.campaign_id
    else:
        message["workflow_id"] = workflow.workflow_id
        if workflow.campaign_id:
            message["campaign_id"] = workflow.campaign_id
    if spec.custom_metadata is not None:
        message["custom_metadata"] = spec.custom_metadata
    parent = TASK.get()
    if parent:
        message["parent_task_id"] = parent
    used = message["used"] = spec.used(args, kwargs)
    if _PRODUCED and type(used) is dict and not _PRODUCED.keys().isdisjoint(
            map(id, used.values())):
        link_used(message)  # an argument is the very object an earlier task returned
    if STATE.telemetry if spec.telemetry is None else spec.telemetry:
        message["telemetry_at_start"] = _telemetry()
    message["started_at"] = time()
    return message


def _finish(spec: TaskSpec, message: dict[str, Any], result: Any) -> bytes:
    """Complete a successful task's message and encode it."""
    message["ended_at"] = time()
    message["status"] = wire.FINISHED
    if result is not None:
        if spec.plain_output and type(result) is not dict:
            message["generated"] = {"arg_0": result}
            produced(result, message["task_id"], "arg_0", spec.constants)
        else:
            generated = message["generated"] = spec.generated(result)
            produced_all(generated, message["task_id"], spec.constants)
    if "telemetry_at_start" in message:
        message["telemetry_at_end"] = _telemetry()
    return dumps(message)


def _fail(message: dict[str, Any], exc: BaseException) -> bytes:
    message["ended_at"] = time()
    message["status"] = wire.ERROR
    try:
        message["stderr"] = str(exc) or type(exc).__name__
    except Exception:  # an exception whose __str__ raises is still the user's exception
        message["stderr"] = type(exc).__name__
    if "telemetry_at_start" in message:
        message["telemetry_at_end"] = _telemetry()
    return dumps(message)


def _instrument(func: Callable[..., Any], spec: TaskSpec) -> Callable[..., Any]:
    """Wrap ``func``; the wrappers set the task as current around the call (``TASK``)."""
    if inspect.iscoroutinefunction(func):

        @functools.wraps(func)
        async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
            recorder = STATE.recorder or active()
            if recorder is None or SUPPRESSED.get():
                return await func(*args, **kwargs)
            try:
                overrides = None
                if kwargs and ("workflow_id" in kwargs or "campaign_id" in kwargs):
                    overrides, kwargs = _split_overrides(spec, kwargs)
                message = _start(spec, args, kwargs, overrides)
            except Exception as exc:
                recorder.count_error("capturing %s failed: %s", spec.activity_id, exc)
                return await func(*args, **kwargs)
            token = TASK.set(message["task_id"])
            try:
                result = await func(*args, **kwargs)
            except BaseException as exc:
                try:
                    recorder.buffer.add(_fail(message, exc))
                except Exception as failure:  # the user's exception comes through unchanged
                    recorder.count_error("capturing %s failed: %s", spec.activity_id, failure)
                raise
            finally:
                TASK.reset(token)
            try:
                recorder.buffer.add(_finish(spec, message, result))
            except Exception as failure:  # the function returned: so does the wrapper
                recorder.count_error("capturing %s failed: %s", spec.activity_id, failure)
            return result

        return async_wrapper

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        recorder = STATE.recorder or active()
        if recorder is None or SUPPRESSED.get():
            return func(*args, **kwargs)
        try:
            overrides = None
            if kwargs and ("workflow_id" in kwargs or "campaign_id" in kwargs):
                overrides, kwargs = _split_overrides(spec, kwargs)
            message = _start(spec, args, kwargs, overrides)
        except Exception as exc:
            recorder.count_error("capturing %s failed: %s", spec.activity_id, exc)
            return func(*args, **kwargs)
        token = TASK.set(message["task_id"])
        try:
            result = func(*args, **kwargs)
        except BaseException as exc:
            try:
                recorder.buffer.add(_fail(message, exc))
            except Exception as failure:  # the user's exception comes through unchanged
                recorder.count_error("capturing %s failed: %s", spec.activity_id, failure)
            raise
        finally:
            TASK.reset(token)
        try:
            recorder.buffer.add(_finish(spec, message, result))
        except Exception as failure:  # the function returned: so does the wrapper
            recorder.count_error("capturing %s failed: %s", spec.activity_id, failure)
        return result

    return wrapper


def _decorator(
    func: Callable[..., Any] | None, options: dict[str, Any], **fixed: Any
) -> Any:
    unknown = set(options) - _TASK_OPTIONS
    if unknown:
        raise ArgumentError(f"unknown task option(s): {', '.join(sorted(unknown))}")
    options = {k: v for k, v in options.items() if k not in ("agent_name", "source_agent_name")}
    options.update(fixed)

    def decorate(target: Callable[..., Any]) -> Callable[..., Any]:
        return _instrument(target, TaskSpec(target, **options))

    if func is None:
        return decorate
    if not callable(func):
        raise ArgumentError(
            f"flowcept_task: the first argument must be the function to decorate, "
            f"got {type(func).__name__}; pass options as keywords"
        )
    return decorate(func)


@overload
def flowcept_task(func: F) -> F: ...
@overload
def flowcept_task(func: None = None, **options: Any) -> Callable[[F], F]: ...
def flowcept_task(func: Callable[..., Any] | None = None, **options: Any) -> Any:
    """Record every call of ``func`` as a provenance task.

    Options: ``output_names``, ``tags``, ``custom_metadata``, ``subtype``, ``workflow_id``,
    ``campaign_id``, ``agent_id``, ``source_agent_id``, ``args_handler``, ``telemetry``.
    """
    return _decorator(func, options)


def telemetry_flowcept_task(func: Callable[..., Any] | None = None, **options: Any) -> Any:
    """Like ``flowcept_task``, always with telemetry at start and end."""
    return _decorator(func, options, telemetry=True)


def agent_flowcept_task(func: Callable[..., Any] | None = None, **options: Any) -> Any:
    """Like ``flowcept_task`` for agent tool calls (``subtype='agent_task'``).

    An ``agent_id`` passed at call time is recorded as the task's agent.
    """
    options.setdefault("subtype", "agent_task")
    return _decorator(func, options)


# --- lightweight ---------------------------------------------------------------------------


def _light_head(spec: TaskSpec, workflow: WorkflowContext) -> Any:
    """The fields of a lightweight message that only change with the workflow, encoded
    once (see ``serialize.head``)."""
    cached = spec.light_heads.get(workflow.workflow_id)
    if cached is None:
        fixed: dict[str, Any] = {
            wire.TYPE: wire.TASK,
            "activity_id": spec.activity_id,
            "subtype": "lightweight",
            "status": wire.FINISHED,
            "workflow_id": workflow.workflow_id,
        }
        if workflow.campaign_id:
            fixed["campaign_id"] = workflow.campaign_id
        cached = spec.light_heads[workflow.workflow_id] = head(fixed)
    spec.light_head = (workflow, cached)
    return cached


def lightweight_flowcept_task(func: Callable[..., Any] | None = None, **options: Any) -> Any:
    """Record calls with the least overhead: inputs, outputs, end time and status; no start
    time, no telemetry, and tasks called inside it do not get it as parent.
    """

    def decorate(target: Callable[..., Any]) -> Callable[..., Any]:
        spec = TaskSpec(target, **options)
        bind_exact, arity, plain_output = spec.bind_exact, spec.arity, spec.plain_output
        used, generated, constants = spec.used, spec.generated, spec.constants
        first = spec.names[0] if arity == 1 else ""

        # Everything inline (one Python frame per call besides the target's): the message
        # is the workflow's pre-encoded head and this call's fields, queued as a dict and
        # encoded by the buffer's worker when its batch is exported.
        @functools.wraps(target)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            result = target(*args, **kwargs)
            recorder = STATE.recorder or active()
            if recorder is None or SUPPRESSED.get():
                return result
            try:
                workflow = WORKFLOW.get() or workflow_for_task()
                last, fixed = spec.light_head
                if last is not workflow:
                    fixed = _light_head(spec, workflow)
                if not kwargs and len(args) == arity:
                    # one parameter: a dict display here, not a call of the binder
                    inputs = {first: args[0]} if arity == 1 else bind_exact(args)
                else:
                    inputs = used(args, kwargs)
                task_id = next(ids.task_ids)
                call: dict[str, Any] = {
                    wire.TYPE: fixed,
                    "task_id": task_id,
                    "used": inputs,
                }
                if _PRODUCED and type(inputs) is dict and not _PRODUCED.keys().isdisjoint(
                        map(id, inputs.values())):
                    link_used(call)
                if plain_output and type(result) is not dict:
                    call["generated"] = {"arg_0": result}
                    produced(result, task_id, "arg_0", constants)
                else:
                    call["generated"] = outputs = generated(result)
                    produced_all(outputs, task_id, constants)
                call["ended_at"] = time()
                parent = TASK.get()
                if parent:
                    call["parent_task_id"] = parent
                # Encoded when its batch is exported, off the caller's path (as Flowcept's
                # lightweight decorator does): its values are recorded as they are then.
                recorder.buffer.add(call)
            except Exception as exc:
                recorder.count_error("capturing %s failed: %s", spec.activity_id, exc)
            return result

        return wrapper

    if func is None:
        return decorate
    if not callable(func):
        raise ArgumentError("lightweight_flowcept_task: the first argument must be a function")
    return decorate(func)


# --- a function as a whole workflow ----------------------------------------------------------


# Flowcept's own defaults for ``@flowcept`` (not those of ``Flowcept()``): a main function
# run offline records its tasks only, with no keeper and no wait at the end.
FLOWCEPT_DECORATOR_DEFAULTS: dict[str, Any] = {
    "start_persistence": False,
    "save_workflow": False,
    "check_safe_stops": False,
}


def flowcept(func: Callable[..., Any] | None = None, **flowcept_kwargs: Any) -> Any:
    """Run ``func`` as a workflow: ``with Flowcept(workflow_name=func.__name__, ...)``.

    Defaults as Flowcept's decorator has them: ``start_persistence=False``,
    ``save_workflow=False``, ``check_safe_stops=False``; any ``Flowcept`` argument given
    here wins (``@flowcept(save_workflow=True)``).
    """
    from capture.controller import Flowcept

    def decorate(target: Callable[..., Any]) -> Callable[..., Any]:
        kwargs = {"workflow_name": target.__name__, **FLOWCEPT_DECORATOR_DEFAULTS,
                  **flowcept_kwargs}
        if inspect.iscoroutinefunction(target):

            @functools.wraps(target)
            async def async_wrapper(*args: Any, **call_kwargs: Any) -> Any:
                with Flowcept(**kwargs):
                    return await target(*args, **call_kwargs)

            return async_wrapper

        @functools.wraps(target)
        def wrapper(*args: Any, **call_kwargs: Any) -> Any:
            with Flowcept(**kwargs):
                return target(*args, **call_kwargs)

        return wrapper

    if func is None:
        return decorate
    if not callable(func):
        raise ArgumentError("flowcept: the first argument must be the function to decorate")
    return decorate(func)
