"""Running a config file the way ``provgraph workflow run`` does, and planning a run.

    from provgraph.workflow import run_workflow
    ctx = run_workflow("config.jsonnet")          # formed.yml / provgraph-workflow.yml found
    ctx.results["result"]

:func:`plan` says, before anything runs, what a run would do with each step (served from
the cache, run, or decided at run time), for ``workflow visualize`` and ``workflow why``.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from provgraph.core.config import get_settings
from provgraph.workflow import visualize
from provgraph.workflow.cache import WorkflowCache
from provgraph.workflow.callback import WorkflowCallback
from provgraph.workflow.config import CachedStepSettings
from provgraph.workflow.execution import (
    StepOutcome,
    WorkflowExecutionContext,
    WorkflowExecutionInfo,
    WorkflowExecutionMetadata,
)
from provgraph.workflow.executor import resolve_force
from provgraph.workflow.fingerprint import StaticFingerprints
from provgraph.workflow.graph import WorkflowGraph
from provgraph.workflow.settings import WorkflowEnvironment, load_workflow_settings


@dataclasses.dataclass(frozen=True)
class Prepared:
    """A config read and checked, with its settings file loaded."""

    graph: WorkflowGraph
    environment: WorkflowEnvironment
    config: str


def prepare(config: str | os.PathLike[str], *, settings: str | os.PathLike[str] | None = None,
            overrides: Any = None, step: str | None = None) -> Prepared:
    """Load the settings file (importing the step modules), then read and check the config."""
    environment = load_workflow_settings(settings, config=config)
    graph = WorkflowGraph.from_file(config, overrides)
    if step is not None:
        graph = graph.get_subgraph(step)
    return Prepared(graph, environment, str(Path(config).resolve()))


def run_workflow(
    config: str | os.PathLike[str],
    *,
    settings: str | os.PathLike[str] | None = None,
    overrides: Any = None,
    step: str | None = None,
    force: bool | str | Iterable[str] | None = None,
    force_downstream: bool = False,
    execution_id: str | None = None,
    on_outcome: Callable[[StepOutcome], None] | None = None,
    callbacks: Sequence[WorkflowCallback] = (),
) -> WorkflowExecutionContext:
    """Run a config file with its settings file's executor and organizer."""
    prepared = prepare(config, settings=settings, overrides=overrides, step=step)
    return run_prepared(prepared, force=force, force_downstream=force_downstream,
                        execution_id=execution_id, on_outcome=on_outcome,
                        callbacks=callbacks)


def run_prepared(
    prepared: Prepared,
    *,
    force: bool | str | Iterable[str] | None = None,
    force_downstream: bool = False,
    execution_id: str | None = None,
    on_outcome: Callable[[StepOutcome], None] | None = None,
    callbacks: Sequence[WorkflowCallback] = (),
) -> WorkflowExecutionContext:
    """Run a prepared config (see :func:`prepare`); ``on_outcome`` sees each step's
    outcome (hits too), ``callbacks`` are added for this run."""
    env = prepared.environment
    execution = WorkflowExecutionInfo(
        prepared.graph, id=execution_id,
        metadata=WorkflowExecutionMetadata(config=prepared.config,
                                           required_modules=env.required_modules))
    options = get_settings().section(CachedStepSettings)
    return env.workflow.organizer.run(
        env.workflow.executor, execution, force=force, force_downstream=force_downstream,
        start_persistence=options.start_persistence, on_outcome=on_outcome,
        callbacks=callbacks)


def plan(graph: WorkflowGraph, cache: WorkflowCache,
         force: bool | str | Iterable[str] | None = None,
         force_downstream: bool = False) -> dict[str, visualize.Mark]:
    """What a run would do with each step, from the fingerprints known before running."""
    forced = resolve_force(graph, force, force_downstream)
    static = StaticFingerprints(graph)
    marks: dict[str, visualize.Mark] = {}
    for info in graph:
        fingerprint = static.fingerprint(info.name)
        if not info.should_be_cached:
            marks[info.name] = visualize.Mark(visualize.ALWAYS, fingerprint)
        elif fingerprint is None:
            blocked = static.blocked_by(info.name)
            marks[info.name] = visualize.Mark(visualize.RUNTIME, None,
                                              "depends on " + ", ".join(blocked))
        elif info.name in forced:
            marks[info.name] = visualize.Mark(visualize.FORCED, fingerprint, "forced")
        elif fingerprint in cache:
            marks[info.name] = visualize.Mark(visualize.CACHED, fingerprint)
        else:
            marks[info.name] = visualize.Mark(visualize.WILL_RUN, fingerprint)
    return marks
