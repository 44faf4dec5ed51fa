"""``FlowceptDaskWorkerAdapter``: the worker plugin that turns each Dask task into a task message.

Registered by the user (``client.register_plugin(FlowceptDaskWorkerAdapter())``, as the
Flowcept documentation shows) or by ``Flowcept("dask", dask_client=client)``, which
registers it with a :class:`WorkerContext`: the workflow, the campaign and the producer
settings (hub, buffer, instrumentation), so a worker in another process or on another
host records into the same workflow and hub. Without a context the worker's own
settings and workflow apply.

The worker calls :meth:`FlowceptDaskWorkerAdapter.transition` on its event loop for every
state change of every task; only three matter:

* ``executing``: a RUNNING message (function name, arguments bound to parameter names,
  dependencies, worker address, start time, telemetry when enabled);
* ``memory``: the same message, FINISHED, with the result and the compute times;
* ``error``: ERROR, with the exception and its traceback in ``stderr``.

A task whose run spec cannot be read is still recorded (with what is known) and counted
in ``unreadable``; the client logs those counts when ``Flowcept.stop()`` drains the
workers. Nothing here ever raises into Dask.
"""

from __future__ import annotations

import functools
import logging
import os
import traceback
import types
from dataclasses import dataclass, field
from time import time
from typing import TYPE_CHECKING, Any

from dask.utils import key_split
from distributed import WorkerPlugin, protocol

from capture import context, recorder
from capture.adapters.config import DaskAdapterSettings
from capture.adapters.dask.runspec import (
    Unreadable,
    Values,
    activity_of,
    describe_key,
    in_memory,
    key_text,
    limit_size,
    read_call,
)
from capture.sysinfo import hostname
from capture.taskspec import TaskSpec
from capture.telemetry import capture_telemetry
from provgraph.core import wire
from provgraph.core.config import apply_settings, get_settings, load_settings
from provgraph.core.errors import ProvgraphError

if TYPE_CHECKING:
    from distributed import Worker

    from provgraph.core.config import Settings

log = logging.getLogger(__name__)

PLUGIN_NAME = "provgraph-flowcept"
ADAPTER_ID = "dask"
_FUNCTION_CACHE_MAX = 1024
_MISSING = object()


@dataclass(frozen=True, slots=True)
class _Function:
    """What is known of a task's function once: how to bind its arguments, its name."""

    spec: TaskSpec | None
    activity: str


@dataclass(frozen=True)
class WorkerContext:
    """What ``Flowcept("dask", dask_client=...)`` hands every worker (pickled by Dask)."""

    workflow_id: str
    campaign_id: str | None
    settings: dict[str, Any] = field(default_factory=dict)  # producer sections only
    origin_pid: int = 0  # the client's process: a worker in it shares its recorder


def worker_settings(values: dict[str, Any]) -> Settings:
    """The worker's own settings with the client's producer sections applied on top."""
    try:
        settings = load_settings()
    except ProvgraphError as exc:
        log.warning("worker settings not readable (%s); using the client's", exc)
        from provgraph.core.config import Settings

        settings = Settings()
    apply_settings(settings, values, "the Dask client's settings")
    return settings


class FlowceptDaskWorkerAdapter(WorkerPlugin):
    """Records every task a Dask worker executes (see the module docstring)."""

    name = PLUGIN_NAME

    def __init__(self, worker_context: WorkerContext | None = None) -> None:
        self.worker_context = worker_context
        self._reset()

    def _reset(self) -> None:
        self._worker: Any = None
        self._pending: dict[Any, tuple[dict[str, Any], TaskSpec | None]] = {}
        self._functions: dict[Any, _Function] = {}
        self._last: tuple[Any, _Function] | None = None
        self._static: dict[str, Any] = {}  # the fields every message of this worker has
        self._memory: Any = {}  # the worker's in-memory values (see runspec.in_memory)
        self._workflow: context.WorkflowContext | None = None
        self._workflow_state: context.WorkflowState | None = None
        self._options = DaskAdapterSettings()
        self.recorded = 0
        self.unreadable = 0
        self.failures = 0

    def __getstate__(self) -> dict[str, Any]:
        return {"worker_context": self.worker_context}  # worker-side state never travels

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.worker_context = state.get("worker_context")
        self._reset()

    # --- the worker's lifecycle ------------------------------------------------------------

    def setup(self, worker: Worker) -> None:
        self._worker = worker
        self._memory = in_memory(worker.data)
        self._static = {wire.TYPE: wire.TASK, "adapter_id": ADAPTER_ID,
                        "hostname": hostname(), "address": getattr(worker, "address", None)}
        try:
            self._setup_capture()
        except Exception as exc:  # the worker runs on; its tasks are recorded as far as can be
            log.warning("provgraph worker plugin on %s: %s", self._static["address"], exc)

    def _setup_capture(self) -> None:
        ctx = self.worker_context
        if ctx is not None:
            self._workflow = context.WorkflowContext(ctx.workflow_id, ctx.campaign_id)
            self._static["workflow_id"] = ctx.workflow_id
            if ctx.campaign_id:
                self._static["campaign_id"] = ctx.campaign_id
            if ctx.origin_pid != os.getpid():
                # Another process: record into the client's hub, and let decorated functions
                # called inside tasks belong to the same workflow.
                recorder.configure(worker_settings(ctx.settings))
                self._workflow_state = context.enter_workflow(self._workflow)
        self._options = get_settings().section(DaskAdapterSettings)

    def teardown(self, worker: Worker) -> None:
        self.drain(self._options.drain_timeout_s)
        if self._workflow_state is not None:
            context.leave_workflow(self._workflow_state)
            self._workflow_state = None

    def drain(self, timeout: float) -> dict[str, Any]:
        """Flush what this worker recorded to the hub; the counts the client reports."""
        flushed = recorder.flush(timeout)
        return {
            "address": self._static.get("address"),
            "recorded": self.recorded,
            "unreadable": self.unreadable,
            "failures": self.failures,
            "running": len(self._pending),
            "flushed": flushed,
        }

    # --- transitions (the worker's event loop, for every task: keep them short) ---------------

    def transition(self, key: Any, start: str, finish: str, **kwargs: Any) -> None:
        if finish == "executing":
            self._started(key)
        elif finish == "memory" or finish == "error":
            pending = self._pending.pop(key, None)
            if pending is not None:
                self._ended(key, pending[0], pending[1], finish)
        elif finish == "released" or finish == "rescheduled" or finish == "forgotten":
            self._pending.pop(key, None)  # cancelled or moved: its RUNNING message stands

    def _started(self, key: Any) -> None:
        active = recorder.STATE.recorder or recorder.active()
        if active is None:
            return
        spec: TaskSpec | None = None
        message = self._new_message(key)
        try:
            spec = self._read_start(key, message)
        except Exception as exc:
            self._count_failure(key, exc)
            message.setdefault("activity_id", _prefix(key))
        self._pending[key] = (message, spec)
        if self._options.running_messages:
            message["status"] = wire.RUNNING
            active.record(message)

    def _ended(self, key: Any, message: dict[str, Any], spec: TaskSpec | None,
               finish: str) -> None:
        active = recorder.STATE.recorder or recorder.active()
        if active is None:
            return
        try:
            self._read_end(key, message, spec, finish)
        except Exception as exc:
            self._count_failure(key, exc)
            message["status"] = wire.ERROR if finish == "error" else wire.FINISHED
            message.setdefault("ended_at", time())
        active.record(message)
        self.recorded += 1

    # --- messages --------------------------------------------------------------------------

    def _new_message(self, key: Any) -> dict[str, Any]:
        message = self._static.copy()
        message["task_id"] = key if type(key) is str else key_text(key)
        if self._workflow is None:  # a plugin the user registered: this worker's workflow
            workflow = recorder.workflow_for_task()
            message["workflow_id"] = workflow.workflow_id
            if workflow.campaign_id:
                message["campaign_id"] = workflow.campaign_id
        message["started_at"] = time()
        return message

    def _read_start(self, key: Any, message: dict[str, Any]) -> TaskSpec | None:
        """Fill in the function, its arguments and the dependencies; returns its spec."""
        worker = self._worker
        ts = worker.state.tasks.get(key)
        if ts is None:
            message["activity_id"] = _prefix(key)
            return None
        max_bytes = self._options.max_value_bytes
        sizes: dict[Any, int | None] = {}
        if ts.dependencies:
            message["dependencies"] = [key_text(dep.key) for dep in ts.dependencies]
            sizes = {dep.key: dep.nbytes for dep in ts.dependencies}
        try:
            call = read_call(ts.run_spec, Values(worker.data, sizes, max_bytes, self._memory),
                             max_bytes)
        except Unreadable as exc:
            message["activity_id"] = _prefix(key)
            self._count_unreadable(key, str(exc))
            return None
        function = self._function(call.func)
        message["activity_id"] = function.activity
        if function.spec is not None:
            message["used"] = function.spec.used(call.args, call.kwargs)
            message["code"] = function.spec.code
        else:
            message["used"] = _positional(call.args, call.kwargs)
        if recorder.STATE.telemetry:
            message["telemetry_at_start"] = capture_telemetry(
                get_settings().instrumentation.telemetry)
        return function.spec

    def _read_end(self, key: Any, message: dict[str, Any], spec: TaskSpec | None,
                  finish: str) -> None:
        ts = self._worker.state.tasks.get(key)
        message["ended_at"] = time()
        if ts is not None:
            for period in reversed(ts.startstops):
                if period.get("action") == "compute":
                    message["started_at"] = period["start"]
                    message["ended_at"] = period["stop"]
                    break
        if finish == "error":
            message["status"] = wire.ERROR
            if ts is not None:
                message["stderr"] = _error_text(ts)
        else:
            message["status"] = wire.FINISHED
            result = self._result(key, ts)
            if result is not None:
                message["generated"] = spec.generated(result) if spec is not None \
                    else {"arg_0": result}
        if "telemetry_at_start" in message:
            message["telemetry_at_end"] = capture_telemetry(
                get_settings().instrumentation.telemetry)

    def _result(self, key: Any, ts: Any) -> Any:
        max_bytes = self._options.max_value_bytes
        nbytes = getattr(ts, "nbytes", None)
        if max_bytes and nbytes is not None and nbytes > max_bytes:
            return describe_key(key, nbytes)
        value = self._memory.get(key, _MISSING)
        if value is _MISSING:  # spilled at once (bigger than the memory target), or released
            return describe_key(key, nbytes) if nbytes is not None else None
        return limit_size(value, max_bytes, key)

    def _function(self, func: Any) -> _Function:
        last = self._last
        if last is not None and last[0] is func:  # map: the same object, task after task
            return last[1]
        found = self._function_by_key(func)
        self._last = (func, found)
        return found

    def _function_by_key(self, func: Any) -> _Function:
        key = _function_key(func)
        try:
            found = self._functions.get(key)
        except TypeError:  # an unhashable callable: no cache
            key, found = None, None
        if found is not None:
            return found
        try:
            spec: TaskSpec | None = TaskSpec(func)
        except Exception as exc:  # not something a signature can be read from
            log.debug("no signature for %r: %s", func, exc)
            spec = None
        found = _Function(spec, activity_of(func))
        if key is not None:
            if len(self._functions) >= _FUNCTION_CACHE_MAX:
                self._functions.clear()
            self._functions[key] = found
        return found

    # --- what could not be read -----------------------------------------------------------

    def _count_unreadable(self, key: Any, reason: str) -> None:
        self.unreadable += 1
        if self.unreadable == 1:
            log.warning("provgraph: the arguments of Dask task %s could not be read (%s); "
                        "it is recorded without them, and further cases are counted",
                        key_text(key), reason)

    def _count_failure(self, key: Any, exc: Exception) -> None:
        self.failures += 1
        if self.failures == 1:
            log.warning("provgraph: recording Dask task %s in full failed (%s); it is "
                        "recorded with what is known, and further cases are counted",
                        key_text(key), exc, exc_info=True)


def _function_key(func: Any) -> Any:
    """What identifies a function for binding its arguments: Dask unpickles a task's
    function anew for many tasks, so the object differs while its code, its defaults (and
    a partial's bound arguments) do not. May be unhashable (then nothing is cached)."""
    if isinstance(func, functools.partial):
        return ("partial", _function_key(func.func), func.args, _frozen(func.keywords))
    code = getattr(func, "__code__", None)
    if code is not None:
        return (code, getattr(func, "__defaults__", None),
                _frozen(getattr(func, "__kwdefaults__", None)))
    if isinstance(func, type | types.BuiltinFunctionType | types.BuiltinMethodType):
        return func  # unpickled by reference: the same object every time
    return ("instance", type(func))  # a callable object: its class's __call__


def _frozen(mapping: dict[str, Any] | None) -> Any:
    return tuple(sorted(mapping.items())) if mapping else None


def _error_text(ts: Any) -> str:
    """The exception and its traceback, as Python prints them."""
    exc = getattr(ts.exception, "data", ts.exception)  # the worker keeps it pickled
    if isinstance(exc, bytes | bytearray):
        try:
            exc = protocol.pickle.loads(exc)
        except Exception:
            exc = None
    if isinstance(exc, BaseException):
        text = "".join(traceback.format_exception_only(type(exc), exc)).rstrip("\n")
    else:
        text = ts.exception_text or "error"
    if ts.traceback_text:
        return f"Traceback (most recent call last):\n{ts.traceback_text}{text}"
    return text


def _prefix(key: Any) -> str:
    return str(key_split(key))


def _positional(args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
    used = {f"arg_{i}": value for i, value in enumerate(args)}
    used.update(kwargs)
    return used
