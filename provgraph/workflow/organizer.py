"""Organizers: where an execution's cache, records and logs live (Formed's ``memory`` and
``filesystem``).

The filesystem organizer keeps, under its directory (``workflow.directory`` in the
settings, by default ``<data dir>/workflow``):

* ``cache/<fingerprint>/``: the cache entries (:mod:`provgraph.workflow.cache`);
* ``executions/<id>/execution.json``: the config, the status and each step's outcome;
  ``executions/<id>/out.log``: what the steps logged through ``use_step_logger()``;
* ``workspaces/<fingerprint>/``: the steps' ``use_step_workdir()``.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import orjson

from provgraph.core.config import get_settings
from provgraph.core.registry import Registry
from provgraph.workflow.cache import FilesystemWorkflowCache, MemoryWorkflowCache, WorkflowCache
from provgraph.workflow.callback import MultiWorkflowCallback, WorkflowCallback
from provgraph.workflow.config import ORGANIZERS_GROUP, CachedStepSettings
from provgraph.workflow.errors import WorkflowError
from provgraph.workflow.execution import WorkflowExecutionContext, WorkflowExecutionInfo
from provgraph.workflow.executor import WorkflowExecutor
from provgraph.workflow.graph import WorkflowGraph
from provgraph.workflow.steps import STEP_LOGGER_PREFIX


class WorkflowOrganizer:
    kind: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        ORGANIZERS.register(cls.kind, cls)

    def __init__(self, cache: WorkflowCache,
                 callbacks: WorkflowCallback | Sequence[WorkflowCallback] | None = None,
                 workspace: Path | None = None) -> None:
        if isinstance(callbacks, WorkflowCallback):
            callbacks = [callbacks]
        self.cache = cache
        self.callback = MultiWorkflowCallback(list(callbacks or []))
        self.workspace = workspace

    def run(self, executor: WorkflowExecutor,
            execution: WorkflowGraph | WorkflowExecutionInfo, *,
            callbacks: Sequence[WorkflowCallback] = (), **options: Any
            ) -> WorkflowExecutionContext:
        """Run ``execution`` with this organizer's cache and callbacks (and ``callbacks``,
        for this run only)."""
        callback = MultiWorkflowCallback([self.callback, *callbacks]) if callbacks \
            else self.callback
        with executor:
            return executor(execution, cache=self.cache, callback=callback,
                            workspace=self.workspace, **options)

    def get(self, execution_id: str) -> dict[str, Any] | None:
        return None

    def exists(self, execution_id: str) -> bool:
        return self.get(execution_id) is not None

    def remove(self, execution_id: str) -> None:
        return None


ORGANIZERS: Registry[type[WorkflowOrganizer]] = Registry("workflow organizer", ORGANIZERS_GROUP,
                                                         WorkflowError, base=WorkflowOrganizer)


class MemoryWorkflowOrganizer(WorkflowOrganizer):
    """A cache in this process only."""

    kind = "memory"

    def __init__(self, callbacks: WorkflowCallback | Sequence[WorkflowCallback] | None = None
                 ) -> None:
        super().__init__(MemoryWorkflowCache(), callbacks)


def execution_summary(ctx: WorkflowExecutionContext) -> dict[str, Any]:
    """An execution as plain JSON (``execution.json``)."""
    state = ctx.state
    return {
        "id": state.execution_id,
        "config": ctx.info.metadata.config or ctx.info.graph.source,
        "status": state.status.value,
        "started_at": state.started_at.isoformat() if state.started_at else None,
        "finished_at": state.finished_at.isoformat() if state.finished_at else None,
        "workflow_id": ctx.workflow_id,
        "steps": {
            name: {"status": o.status, "reason": o.reason, "fingerprint": o.fingerprint,
                   "content_id": o.content_id, "task_id": o.task_id,
                   "produced_by": o.produced_by, "duration_s": round(o.duration_s, 6)}
            for name, o in ctx.outcomes.items()
        },
    }


class FilesystemWorkflowOrganizer(WorkflowOrganizer):
    """Cache, execution records and step logs under one directory."""

    kind = "filesystem"
    EXECUTIONS = "executions"

    def __init__(self, directory: str | Path | None = None,
                 callbacks: WorkflowCallback | Sequence[WorkflowCallback] | None = None,
                 fsync: bool | None = None) -> None:
        settings = get_settings()
        self.directory = Path(directory) if directory else settings.workflow_dir
        if fsync is None:
            fsync = settings.section(CachedStepSettings).fsync
        super().__init__(FilesystemWorkflowCache(self.directory / "cache", fsync), callbacks,
                         workspace=self.directory / "workspaces")

    @property
    def executions_directory(self) -> Path:
        return self.directory / self.EXECUTIONS

    def run(self, executor: WorkflowExecutor,
            execution: WorkflowGraph | WorkflowExecutionInfo, *,
            callbacks: Sequence[WorkflowCallback] = (), **options: Any
            ) -> WorkflowExecutionContext:
        info = execution if isinstance(execution, WorkflowExecutionInfo) \
            else WorkflowExecutionInfo(execution)
        if info.id is None:
            import uuid

            info.id = uuid.uuid4().hex[:12]
        if self.exists(info.id):
            raise WorkflowError(f"execution {info.id!r} already exists in "
                                f"{self.executions_directory}")
        folder = self.executions_directory / info.id
        folder.mkdir(parents=True)
        handler = logging.FileHandler(folder / "out.log")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        step_logger = logging.getLogger(STEP_LOGGER_PREFIX)
        step_logger.addHandler(handler)
        if step_logger.level == logging.NOTSET or step_logger.level > logging.INFO:
            step_logger.setLevel(logging.INFO)
        holder: dict[str, WorkflowExecutionContext] = {}

        class _Keep(WorkflowCallback):
            def on_execution_start(self, execution_context: WorkflowExecutionContext) -> None:
                holder["ctx"] = execution_context

        combined = MultiWorkflowCallback([_Keep(), self.callback, *callbacks])
        try:
            with executor:
                return executor(info, cache=self.cache, callback=combined,
                                workspace=self.workspace, **options)
        finally:
            step_logger.removeHandler(handler)
            handler.close()
            if "ctx" in holder:
                (folder / "execution.json").write_bytes(
                    orjson.dumps(execution_summary(holder["ctx"]), option=orjson.OPT_INDENT_2))

    def get(self, execution_id: str) -> dict[str, Any] | None:
        path = self.executions_directory / execution_id / "execution.json"
        if not path.is_file():
            return None
        found: dict[str, Any] = orjson.loads(path.read_bytes())
        return found

    def exists(self, execution_id: str) -> bool:
        return (self.executions_directory / execution_id).exists()

    def remove(self, execution_id: str) -> None:
        shutil.rmtree(self.executions_directory / execution_id, ignore_errors=True)
