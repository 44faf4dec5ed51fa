"""The provenance of an execution: the cache's record, in the PROV graph.

An execution is a workflow (subtype ``cached_steps``); each step that runs is a task
(``activity_id`` = the step's name in the config, plan = the step function with its
fingerprint's code digest and normalized source), and so is each cache hit (tagged
``cache_hit``, with a declared dependency on the task that produced the value). ``used``
holds the arguments, with every upstream value as its content id; ``generated`` holds the
result's content id, so the graph links a step to the one whose value it used, across
executions too. A hit generates nothing: it used the cached value (role
``cached_result``), which the producing run generated. ``custom_metadata.workflow_step``
holds the fingerprint's parts: ``workflow why`` reads them back.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from capture import context, recorder
from capture.context import WorkflowContext
from capture.ids import new_task_id, new_uuid
from capture.messages import TaskObject
from capture.sysinfo import hostname
from capture.workflow_message import build_workflow_message
from provgraph.core import wire
from provgraph.core.wire import Status

if TYPE_CHECKING:
    from capture.controller import Flowcept
    from provgraph.workflow.fingerprint import FingerprintParts
    from provgraph.workflow.graph import WorkflowStepInfo

SUBTYPE = "cached_steps"
STEP_SUBTYPE = "workflow_step"
METADATA_KEY = "workflow_step"
TAG_STEP = "workflow_step"
TAG_HIT = "cache_hit"
TAG_RAN = "executed"
CACHED_ROLE = "cached_result"  # the role of the cached value a hit used
MAX_PLAN_SOURCE = 20_000

# Why a step ran or did not (recorded as ``reason``).
HIT = "cached"
MISS = "no cache entry"
FORCED = "forced"
NOT_CACHEABLE = "not cacheable"


@dataclass
class StepTask:
    """A step's task while it is being recorded."""

    task: TaskObject
    metadata: dict[str, Any] = field(default_factory=dict)


class ExecutionRecord:
    """Records one execution (a no-op when capture is switched off)."""

    def __init__(self, *, name: str, execution_id: str, config: str | None,
                 steps: list[str], start_persistence: bool = True) -> None:
        self.name = name
        self.execution_id = execution_id
        self.config = config
        self.steps = steps
        self.start_persistence = start_persistence
        self.enabled = False
        self.workflow_id: str | None = None
        self._flowcept: Flowcept | None = None
        self._context_state: Any = None
        self._parent_task: str | None = None

    def _workflow_args(self) -> dict[str, Any]:
        return {"execution_id": self.execution_id, "config": self.config, "steps": self.steps}

    def start(self) -> None:
        if recorder.active() is None:
            return
        self.enabled = True
        self._parent_task = context.current_task_id()
        outer = context.current_workflow()
        if outer is None and self.start_persistence:
            from capture.controller import Flowcept

            self._flowcept = Flowcept(workflow_name=self.name, workflow_subtype=SUBTYPE,
                                      workflow_args=self._workflow_args())
            self._flowcept.start()
            self.workflow_id = self._flowcept.current_workflow_id
            return
        # Inside the user's own Flowcept run (or without a keeper here): a child workflow.
        workflow = WorkflowContext(workflow_id=new_uuid(), workflow_name=self.name,
                                   campaign_id=outer.campaign_id if outer else None)
        recorder.record(build_workflow_message(
            workflow, subtype=SUBTYPE, used=self._workflow_args(),
            parent_workflow_id=outer.workflow_id if outer else None))
        self._context_state = context.enter_workflow(workflow)
        self.workflow_id = workflow.workflow_id

    def stop(self, error: BaseException | None = None) -> None:
        """Record the end of the execution: ``FINISHED``, or ``ERROR`` with ``error``."""
        if not self.enabled:
            return
        if self._flowcept is not None:
            self._flowcept.__exit__(type(error) if error else None, error, None)
            self._flowcept = None
            return
        assert self.workflow_id is not None
        detail = f"{type(error).__name__}: {error}" if error is not None else None
        recorder.record(wire.workflow_end(self.workflow_id, time.time(),
                                          wire.ERROR if error is not None else wire.FINISHED,
                                          detail))
        if self._context_state is not None:
            context.leave_workflow(self._context_state)
            self._context_state = None

    # --- steps ---------------------------------------------------------------------------

    def _task(self, info: WorkflowStepInfo, parts: FingerprintParts, used: Mapping[str, Any],
              code_source: str, reason: str, tags: list[str]) -> StepTask:
        step = info.step
        code: dict[str, Any] = {"module": step.module, "qualname": step.qualname,
                                "source_hash": parts.code}
        if step.version is not None:
            code["version"] = step.version
        elif code_source and len(code_source) <= MAX_PLAN_SOURCE:
            code["normalized_source"] = code_source
        metadata = {
            "name": info.name, "type": info.type, "reason": reason,
            "execution_id": self.execution_id, "config": self.config,
            "deterministic": step.deterministic, "cacheable": step.cacheable,
            "cached": step.should_be_cached, **parts.to_record(),
        }
        task = TaskObject(
            task_id=new_task_id(), workflow_id=self.workflow_id, activity_id=info.name,
            workflow_name=self.name, subtype=STEP_SUBTYPE, parent_task_id=self._parent_task,
            used=dict(used), code=code, tags=tags, hostname=hostname(),
            custom_metadata={METADATA_KEY: metadata}, started_at=time.time(),
            status=Status.RUNNING,
        )
        return StepTask(task, metadata)

    def step_started(self, info: WorkflowStepInfo, parts: FingerprintParts,
                     used: Mapping[str, Any], code_source: str, reason: str) -> StepTask:
        record = self._task(info, parts, used, code_source, reason, [TAG_STEP, TAG_RAN])
        if self.enabled:  # a long step shows as RUNNING; its end is merged into it
            recorder.record(record.task.to_dict())
        return record

    def step_finished(self, record: StepTask, content_id: str, preview: Any) -> None:
        record.metadata.update(content_id=content_id, value=preview)
        record.task.generated = {"result": content_id}
        self._end(record, Status.FINISHED)

    def step_failed(self, record: StepTask, exc: BaseException) -> None:
        detail = str(exc)
        record.task.stderr = type(exc).__name__ + (f": {detail}" if detail else "")
        self._end(record, Status.ERROR)

    def cache_hit(self, info: WorkflowStepInfo, parts: FingerprintParts,
                  used: Mapping[str, Any], code_source: str, content_id: str,
                  producer_task: str | None, producer_execution: str | None) -> str | None:
        if not self.enabled:
            return None
        record = self._task(info, parts, used, code_source, HIT, [TAG_STEP, TAG_HIT])
        record.metadata.update(content_id=content_id, served_from=producer_task,
                               served_from_execution=producer_execution)
        # A hit reads the value the producing run generated (generating it again would make
        # that run's consumers look informed by a later task).
        record.task.used = {**(record.task.used or {}), CACHED_ROLE: content_id}
        if producer_task:
            record.task.dependencies = [producer_task]
        self._end(record, Status.FINISHED)
        return record.task.task_id

    def _end(self, record: StepTask, status: Status) -> None:
        record.task.ended_at = time.time()
        record.task.status = status
        if self.enabled:
            recorder.record(record.task.to_dict())


def default_name(config: str | None) -> str:
    """The workflow name of an execution: ``workflow:<config file name>``."""
    return f"workflow:{os.path.basename(config)}" if config else "workflow"
