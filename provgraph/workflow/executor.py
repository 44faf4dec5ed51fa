"""Running a workflow graph: steps in dependency order, each served from the cache when its
fingerprint has a complete entry, else run (and its result stored atomically).

    ctx = DefaultWorkflowExecutor()(graph, cache=FilesystemWorkflowCache(".cache"))
    ctx.results["result"]          # loaded from the cache on first use
    ctx.outcomes["result"].status  # "ran" or "cached"

``force`` re-runs steps whatever the cache holds (``True`` for all, or names), and
``force_downstream`` also every step that depends on them; nothing is deleted, the new
result replaces the entry. Every execution and step is recorded as provenance
(:mod:`provgraph.workflow.record`).
"""

from __future__ import annotations

import asyncio
import collections.abc
import dataclasses
import datetime
import inspect
import logging
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from types import TracebackType
from typing import Any, ClassVar

from capture.context import task_scope
from provgraph.core.registry import Registry
from provgraph.workflow import build, values
from provgraph.workflow import record as prov
from provgraph.workflow.cache import CacheEntry, EmptyWorkflowCache, WorkflowCache
from provgraph.workflow.callback import EmptyWorkflowCallback, WorkflowCallback
from provgraph.workflow.config import EXECUTORS_GROUP
from provgraph.workflow.errors import WorkflowError, WorkflowStepError
from provgraph.workflow.execution import (
    CACHED,
    FAILED,
    RAN,
    StepOutcome,
    WorkflowExecutionContext,
    WorkflowExecutionInfo,
    WorkflowExecutionState,
    WorkflowExecutionStatus,
    pop_execution,
    push_execution,
)
from provgraph.workflow.fingerprint import (
    BY_CONTENT,
    FingerprintParts,
    Upstream,
    compute,
    passes_fingerprint,
    upstream_by_fingerprint,
)
from provgraph.workflow.graph import Dependency, WorkflowGraph, WorkflowStepInfo
from provgraph.workflow.source import CodeIdentity, code_identity
from provgraph.workflow.steps import (
    WorkflowStepContext,
    WorkflowStepState,
    WorkflowStepStatus,
    reset_step_context,
    set_step_context,
)

log = logging.getLogger(__name__)

def field_of(value: Any, field: str, step: str) -> Any:
    """``value.field`` for objects, ``value[field]`` for mappings; dotted for nesting."""
    current = value
    for part in field.split("."):
        if isinstance(current, collections.abc.Mapping) and part in current:
            current = current[part]
        elif isinstance(current, list | tuple) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        elif hasattr(current, part):
            current = getattr(current, part)
        else:
            raise WorkflowError(f"the result of step {step!r} ({type(value).__name__}) "
                                f"has no field {field!r}")
    return current


def resolve_force(graph: WorkflowGraph, force: bool | str | Iterable[str] | None,
                  downstream: bool = False) -> set[str]:
    """The names of the steps to re-run whatever the cache holds."""
    if force is None or force is False:
        names: set[str] = set()
    elif force is True or force == "*":
        names = set(graph.names())
    else:
        wanted = [force] if isinstance(force, str) else list(force)
        if "*" in wanted:
            names = set(graph.names())
        else:
            for name in wanted:
                graph[name]  # an unknown name is an error naming the steps
            names = set(wanted)
    return graph.descendants(names) if downstream else names


class WorkflowExecutor:
    """Runs a graph; ``with executor:`` holds whatever the executor needs."""

    kind: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        EXECUTORS.register(cls.kind, cls)

    def __call__(self, graph_or_execution: WorkflowGraph | WorkflowExecutionInfo, *,
                 cache: WorkflowCache | None = None, callback: WorkflowCallback | None = None,
                 **options: Any) -> WorkflowExecutionContext:
        raise NotImplementedError

    def __enter__(self) -> WorkflowExecutor:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        return None


EXECUTORS: Registry[type[WorkflowExecutor]] = Registry("workflow executor", EXECUTORS_GROUP,
                                                       WorkflowError, base=WorkflowExecutor)


class DefaultWorkflowExecutor(WorkflowExecutor):
    """Sequential: one step at a time, in dependency order."""

    kind = "default"

    def __call__(
        self,
        graph_or_execution: WorkflowGraph | WorkflowExecutionInfo,
        *,
        cache: WorkflowCache | None = None,
        callback: WorkflowCallback | None = None,
        force: bool | str | Iterable[str] | None = None,
        force_downstream: bool = False,
        workspace: str | Path | None = None,
        start_persistence: bool = True,
        on_outcome: Callable[[StepOutcome], None] | None = None,
        **options: Any,
    ) -> WorkflowExecutionContext:
        execution = graph_or_execution if isinstance(graph_or_execution, WorkflowExecutionInfo) \
            else WorkflowExecutionInfo(graph_or_execution)
        if execution.id is None:
            execution.id = uuid.uuid4().hex[:12]
        run = _Run(self, execution, cache if cache is not None else EmptyWorkflowCache(),
                   callback if callback is not None else EmptyWorkflowCallback(),
                   resolve_force(execution.graph, force, force_downstream),
                   Path(workspace) if workspace is not None else None, start_persistence,
                   on_outcome)
        return run.execute()


class _Run:
    """One execution's state (the executor itself holds none)."""

    def __init__(self, executor: WorkflowExecutor, execution: WorkflowExecutionInfo,
                 cache: WorkflowCache, callback: WorkflowCallback, forced: set[str],
                 workspace: Path | None, start_persistence: bool,
                 on_outcome: Callable[[StepOutcome], None] | None = None) -> None:
        assert execution.id is not None
        self.on_outcome = on_outcome
        self.graph = execution.graph
        self.cache = cache
        self.callback = callback
        self.forced = forced
        self.workspace = workspace
        self.identities: dict[str, CodeIdentity] = {}
        self.builder: Any = None
        self.context = WorkflowExecutionContext(
            execution, WorkflowExecutionState(execution_id=execution.id), cache, callback)
        self.record = prov.ExecutionRecord(
            name=prov.default_name(execution.metadata.config or self.graph.source),
            execution_id=execution.id, config=execution.metadata.config or self.graph.source,
            steps=self.graph.names(), start_persistence=start_persistence)

    def execute(self) -> WorkflowExecutionContext:
        ctx = self.context
        ctx.state.status = WorkflowExecutionStatus.RUNNING
        ctx.state.started_at = datetime.datetime.now()
        self.record.start()
        ctx.workflow_id = self.record.workflow_id
        push_execution(ctx)
        error: BaseException | None = None
        try:
            self.callback.on_execution_start(ctx)
            for info in self.graph:
                log.info("step %s", info.name)
                try:
                    ctx.outcomes[info.name] = self._step(info)
                finally:
                    if self.on_outcome is not None and info.name in ctx.outcomes:
                        self.on_outcome(ctx.outcomes[info.name])
            ctx.state.status = WorkflowExecutionStatus.COMPLETED
        except BaseException as exc:
            error = exc
            ctx.state.status = WorkflowExecutionStatus.CANCELED if isinstance(
                exc, KeyboardInterrupt) else WorkflowExecutionStatus.FAILURE
            raise
        finally:
            ctx.state.finished_at = datetime.datetime.now()
            pop_execution()
            try:
                self.callback.on_execution_end(ctx)
            finally:
                self.record.stop(error)
        return ctx

    # --- one step --------------------------------------------------------------------------

    def _identity(self, info: WorkflowStepInfo) -> CodeIdentity | None:
        if info.version is not None:
            return None
        found = self.identities.get(info.type)
        if found is None:
            found = self.identities[info.type] = code_identity(info.step.function)
        return found

    def _upstream_value(self, dep: Dependency) -> Any:
        value = self.context.outcomes[dep.step].value()
        return field_of(value, dep.field, dep.step) if dep.field else value

    def _upstream_token(self, dep: Dependency) -> Upstream:
        outcome = self.context.outcomes[dep.step]
        if passes_fingerprint(self.graph[dep.step]):
            return upstream_by_fingerprint(dep, outcome.fingerprint)
        if dep.field is None and outcome.content_id is not None:
            return Upstream(dep.step, None, BY_CONTENT, outcome.content_id)
        return Upstream(dep.step, dep.field, BY_CONTENT,
                        values.content_id(self._upstream_value(dep)))

    def _used(self, info: WorkflowStepInfo) -> dict[str, Any]:
        """The task's ``used``: arguments, every upstream value as its content id."""
        def cid(path: tuple[str | int, ...], step: str, field: str | None) -> Any:
            return self.context.outcomes[step].content_id

        used = {key: build.substitute_refs(value, cid, (key,))
                for key, value in info.config.items()}
        for dep in info.dependencies:
            used[dep.key] = self.context.outcomes[dep.step].content_id
        return used

    def _arguments(self, info: WorkflowStepInfo) -> dict[str, Any]:
        hints = info.step.type_hints()
        kwargs: dict[str, Any] = {}
        for key, value in info.config.items():
            if build.is_ref(value):
                step, field = build.parse_ref(value[build.REF_KEY])
                kwargs[key] = self._upstream_value(Dependency((key,), step, field))
                continue
            if self.builder is None:
                self.builder = build.builder()

            def upstream(path: tuple[str | int, ...], step: str, field: str | None) -> Any:
                return build.constructed(self._upstream_value(Dependency(path, step, field)))

            config = build.substitute_refs(value, upstream, (key,))
            kwargs[key] = build.build_argument(self.builder, info.name, key, config,
                                               hints.get(key))
        return kwargs

    def _load(self, info: WorkflowStepInfo, fingerprint: str) -> Any:
        try:
            return self.cache.load(fingerprint)
        except Exception as exc:
            raise WorkflowError(
                f"cannot read the cached result of step {info.name!r} (entry {fingerprint}): "
                f"{type(exc).__name__}: {exc}; run it again with --force {info.name}") from exc

    def _step(self, info: WorkflowStepInfo) -> StepOutcome:
        identity = self._identity(info)
        upstream = {dep.key: self._upstream_token(dep) for dep in info.dependencies}
        parts = compute(info, upstream, identity)
        fingerprint = parts.fingerprint
        used = self._used(info)
        source = identity.normalized if identity is not None else ""
        cached = info.should_be_cached
        if cached and info.name not in self.forced:
            entry = self.cache.entry(fingerprint)
            problem = self.cache.verify(fingerprint, entry) if entry is not None else None
            if problem is not None:
                log.warning("step %r: cache entry %s is not served: %s; running it again",
                            info.name, fingerprint, problem)
                entry = None
            if entry is not None:
                task_id = self.record.cache_hit(info, parts, used, source, entry.content_id,
                                                entry.task_id, entry.execution_id)
                return StepOutcome(info.name, CACHED, prov.HIT, fingerprint, parts,
                                   entry.content_id, task_id, entry.task_id,
                                   preview=entry.preview,
                                   _loader=lambda: self._load(info, fingerprint))
        reason = prov.FORCED if info.name in self.forced else (
            prov.MISS if cached else prov.NOT_CACHEABLE)
        return self._execute(info, parts, used, source, reason)

    def _execute(self, info: WorkflowStepInfo, parts: FingerprintParts, used: dict[str, Any],
                 source: str, reason: str) -> StepOutcome:
        ctx = self.context
        fingerprint = parts.fingerprint
        step_record = self.record.step_started(info, parts, used, source, reason)
        task_id = step_record.task.task_id
        assert task_id is not None
        started = time.perf_counter()
        state = WorkflowStepState(fingerprint, WorkflowStepStatus.RUNNING,
                                  started_at=datetime.datetime.now())
        workdir = self.workspace / fingerprint if self.workspace is not None else None
        step_context = WorkflowStepContext(dataclasses.replace(info, fingerprint=fingerprint),
                                           state, workdir, task_id, ctx.state.execution_id)
        self.callback.on_step_start(step_context, ctx)
        token = set_step_context(step_context)
        status = WorkflowStepStatus.FAILURE
        try:
            with task_scope(task_id):
                result = info.step.function(**self._arguments(info))
                if inspect.iscoroutine(result):  # an ``async def`` step
                    result = asyncio.run(result)
            if isinstance(result, Iterator):
                result = list(result)  # a stream is stored (and passed on) as a list
            content_id = values.content_id(result)
            preview = values.preview(result)
            if info.should_be_cached:
                fmt = info.step.format.resolve(result)
                self.cache.store(fingerprint, result, fmt, CacheEntry(
                    fingerprint, fmt.identifier, content_id, info.name, task_id,
                    ctx.state.execution_id, time.time(), preview))
            self.record.step_finished(step_record, content_id, preview)
            status = WorkflowStepStatus.COMPLETED
        except KeyboardInterrupt as exc:
            status = WorkflowStepStatus.CANCELED
            self.record.step_failed(step_record, exc)
            raise
        except Exception as exc:
            self.record.step_failed(step_record, exc)
            ctx.outcomes[info.name] = StepOutcome(info.name, FAILED, reason, fingerprint, parts,
                                                  task_id=task_id,
                                                  duration_s=time.perf_counter() - started)
            if isinstance(exc, WorkflowError):
                raise
            raise WorkflowStepError(info.name, exc) from exc
        finally:
            values.release()
            reset_step_context(token)
            step_context = dataclasses.replace(step_context, state=dataclasses.replace(
                state, status=status, finished_at=datetime.datetime.now()))
            self.callback.on_step_end(step_context, ctx)
        return StepOutcome(info.name, RAN, reason, fingerprint, parts, content_id, task_id,
                           duration_s=time.perf_counter() - started, preview=preview,
                           _value=result)
