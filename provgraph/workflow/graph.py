"""The DAG of a workflow config: steps in dependency order, checked before anything runs.

    {steps: {dataset: {type: 'generate_dataset', size: 100},
             model: {type: 'train_model', dataset: {type: 'ref', ref: 'dataset'}}}}

Every key of a step but ``type`` is an argument; ``{type: 'ref', ref: 'name'}`` (or
``'name.field'``) anywhere in an argument stands for another step's result (or one field
of it). Building the graph checks, naming the step and the key: an unknown step type, an
argument the step does not take or a missing one, a reference to a missing step, a cycle,
and an argument whose value cannot be the parameter's type.
"""

from __future__ import annotations

import dataclasses
import inspect
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from provgraph.workflow import build
from provgraph.workflow.errors import WorkflowConfigError, WorkflowError
from provgraph.workflow.steps import STEPS, WorkflowStep

Path_ = tuple[str | int, ...]


def dotted(path: Path_) -> str:
    return ".".join(str(p) for p in path)


@dataclasses.dataclass(frozen=True)
class Dependency:
    """A reference in a step's config: where it is, which step, which field of its result."""

    path: Path_
    step: str
    field: str | None = None

    @property
    def key(self) -> str:
        return dotted(self.path)


@dataclasses.dataclass(frozen=True, eq=False)
class WorkflowStepInfo:
    """One step of a graph: its config name, the registered step and its arguments."""

    name: str
    step: WorkflowStep
    config: dict[str, Any]
    dependencies: tuple[Dependency, ...] = ()
    fingerprint: str | None = None  # set on the info a running step sees (Formed's field)

    @property
    def type(self) -> str:
        return self.step.name

    @property
    def deterministic(self) -> bool:
        return self.step.deterministic

    @property
    def cacheable(self) -> bool | None:
        return self.step.cacheable

    @property
    def should_be_cached(self) -> bool:
        return self.step.should_be_cached

    @property
    def version(self) -> str | None:
        return self.step.version

    @property
    def format(self) -> Any:
        return self.step.format

    def upstream_names(self) -> list[str]:
        return list(dict.fromkeys(d.step for d in self.dependencies))

    def __repr__(self) -> str:
        return f"WorkflowStepInfo({self.name!r}, type={self.type!r})"


def _find_refs(value: Any, path: Path_) -> list[Dependency]:
    found: list[Dependency] = []

    def collect(where: Path_, step: str, field: str | None) -> None:
        found.append(Dependency(where, step, field))

    build.substitute_refs(value, collect, path)
    return found


class WorkflowGraph:
    """Steps in dependency order (``for info in graph``), by name (``graph['model']``)."""

    def __init__(self, steps: Mapping[str, WorkflowStepInfo], source: str | None = None) -> None:
        self._steps = dict(steps)
        self.source = source

    # --- building ------------------------------------------------------------------------

    @classmethod
    def from_config(cls, config: Mapping[str, Any], *, source: str | None = None,
                    check_types: bool = True) -> WorkflowGraph:
        """The graph of a config dict (``steps`` at the root)."""
        steps = config.get("steps") if isinstance(config, Mapping) else None
        if not isinstance(steps, Mapping):
            raise WorkflowConfigError("the config needs a 'steps' object at its root")
        if not steps:
            raise WorkflowConfigError("the config's 'steps' object is empty")
        infos: dict[str, WorkflowStepInfo] = {}
        for name, step_config in steps.items():
            infos[name] = _step_info(name, step_config, steps)
        order = _topological_order(infos)
        graph = cls({name: infos[name] for name in order}, source=source)
        if check_types:
            graph.check_types()
        return graph

    @classmethod
    def from_file(cls, path: str | os.PathLike[str], overrides: Any = None) -> WorkflowGraph:
        """The graph of a JSON or Jsonnet config file."""
        from provgraph.workflow.loader import load_config

        return cls.from_config(load_config(path, overrides), source=str(Path(path).resolve()))

    from_jsonnet = from_file  # Formed's name

    def check_types(self) -> None:
        """Dry-run colt over every argument: each must be able to build its parameter."""
        builder = build.builder()
        for info in self:
            hints = info.step.type_hints()
            for key, value in info.config.items():
                annotation = hints.get(key)

                def placeholder(path: Path_, step: str, field: str | None) -> Any:
                    return build.ref_placeholder(self._steps[step].step.get_output_type(field))

                with_placeholders = build.substitute_refs(value, placeholder, (key,))
                build.check_argument(builder, info.name, key, with_placeholders, annotation)

    # --- reading -------------------------------------------------------------------------

    def __iter__(self) -> Iterator[WorkflowStepInfo]:
        return iter(self._steps.values())

    def __len__(self) -> int:
        return len(self._steps)

    def __contains__(self, name: object) -> bool:
        return name in self._steps

    def __getitem__(self, name: str) -> WorkflowStepInfo:
        try:
            return self._steps[name]
        except KeyError:
            raise WorkflowError(f"no step {name!r} in the workflow; steps: "
                                f"{', '.join(self._steps)}") from None

    def names(self) -> list[str]:
        return list(self._steps)

    def ancestors(self, name: str) -> list[str]:
        """``name`` and every step it depends on, in dependency order."""
        wanted: set[str] = set()
        stack = [self[name].name]
        while stack:
            current = stack.pop()
            if current not in wanted:
                wanted.add(current)
                stack.extend(self._steps[current].upstream_names())
        return [n for n in self._steps if n in wanted]

    def descendants(self, names: set[str]) -> set[str]:
        """``names`` and every step that depends on one of them."""
        found = set(names)
        for info in self:  # dependency order: upstreams come first
            if any(up in found for up in info.upstream_names()):
                found.add(info.name)
        return found

    def get_subgraph(self, name: str) -> WorkflowGraph:
        """``name`` and what it depends on (``workflow run --step``)."""
        return WorkflowGraph({n: self._steps[n] for n in self.ancestors(name)},
                             source=self.source)

    def visualize(self, marks: Mapping[str, str] | None = None) -> str:
        from provgraph.workflow.visualize import render_text

        return render_text(self, marks or {})


def _step_info(name: Any, step_config: Any, steps: Mapping[str, Any]) -> WorkflowStepInfo:
    if not isinstance(name, str) or not name or "." in name:
        raise WorkflowConfigError("a step name must be a non-empty string without '.'",
                                  step=str(name))
    if not isinstance(step_config, Mapping):
        raise WorkflowConfigError(f"must be an object with 'type', got "
                                  f"{type(step_config).__name__}", step=name)
    kind = step_config.get(build.TYPE_KEY)
    if not isinstance(kind, str):
        raise WorkflowConfigError("needs a string naming a registered step", step=name,
                                  key=build.TYPE_KEY)
    if kind not in STEPS:
        raise WorkflowConfigError(f"unknown step type {kind!r}; registered: "
                                  f"{', '.join(STEPS.names()) or 'none'}", step=name,
                                  key=build.TYPE_KEY)
    step = STEPS.get(kind)
    arguments = {k: v for k, v in step_config.items() if k != build.TYPE_KEY}
    parameters = step.parameters()
    for key in arguments:
        if key not in parameters and not step.accepts_any_keyword():
            raise WorkflowConfigError(
                f"{kind} takes no argument {key!r} (it takes: {', '.join(parameters) or 'none'})",
                step=name, key=key)
        if key in parameters and parameters[key].kind is inspect.Parameter.POSITIONAL_ONLY:
            raise WorkflowConfigError(f"{key!r} of {kind} is positional-only", step=name, key=key)
    for key, parameter in parameters.items():
        if parameter.default is inspect.Parameter.empty and key not in arguments:
            raise WorkflowConfigError(f"missing argument {key!r} of {kind}", step=name, key=key)
    dependencies = tuple(dep for key, value in arguments.items()
                         for dep in _find_refs(value, (key,)))
    for dep in dependencies:
        if dep.step not in steps:
            raise WorkflowConfigError(
                f"reference to a missing step {dep.step!r} (steps: {', '.join(steps)})",
                step=name, key=dep.key)
    return WorkflowStepInfo(name, step, arguments, dependencies)


def _topological_order(infos: Mapping[str, WorkflowStepInfo]) -> list[str]:
    """Dependency order, stable in config order; a cycle is reported with its path."""
    order: list[str] = []
    done: set[str] = set()
    path: list[tuple[str, str]] = []  # (step, key of the reference that led on)

    def visit(name: str) -> None:
        if name in done:
            return
        on_path = [step for step, _ in path]
        if name in on_path:
            cycle = [*on_path[on_path.index(name):], name]
            first, key = path[on_path.index(name)]
            raise WorkflowConfigError("references form a cycle: " + " -> ".join(cycle),
                                      step=first, key=key)
        for dep in infos[name].dependencies:
            path.append((name, dep.key))
            visit(dep.step)
            path.pop()
        done.add(name)
        order.append(name)

    for name in infos:
        visit(name)
    return order
