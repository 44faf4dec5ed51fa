"""The workflow settings file: which modules hold the steps, the executor and organizer.

Looked for as ``provgraph-workflow.yml`` and then Formed's ``formed.yml`` (``.yaml`` too),
in the working directory and then beside the config; ``--settings FILE`` names one.

    # formed.yml
    required_modules:            # imported with all their submodules
      - my_project
    environment: {TOKENIZERS_PARALLELISM: "false"}
    logging: {my_project: INFO}
    workflow:
      organizer: {type: filesystem, directory: .cache/workflow}
      executor: {type: default}

Without a file: no modules are imported and the ``workflow`` section of provgraph's own
settings gives the organizer and executor.
"""

from __future__ import annotations

import dataclasses
import importlib
import logging
import os
import pkgutil
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from provgraph.core.config import get_settings
from provgraph.workflow.config import CachedStepSettings
from provgraph.workflow.errors import WorkflowConfigError
from provgraph.workflow.executor import EXECUTORS, WorkflowExecutor
from provgraph.workflow.organizer import ORGANIZERS, WorkflowOrganizer

SETTINGS_FILES = ("provgraph-workflow.yml", "provgraph-workflow.yaml", "formed.yml",
                  "formed.yaml")
_KEYS = ("workflow", "environment", "required_modules", "logging")
_WORKFLOW_KEYS = ("executor", "organizer")


@dataclasses.dataclass(frozen=True)
class WorkflowSettings:
    """Formed's ``workflow`` settings: the executor and the organizer."""

    executor: WorkflowExecutor
    organizer: WorkflowOrganizer


@dataclasses.dataclass(frozen=True)
class WorkflowEnvironment:
    """A loaded settings file (Formed's ``FormedSettings``)."""

    workflow: WorkflowSettings
    environment: dict[str, str] = dataclasses.field(default_factory=dict)
    required_modules: tuple[str, ...] = ()
    logging: dict[str, str] = dataclasses.field(default_factory=dict)
    path: Path | None = None


def find_settings_file(explicit: str | os.PathLike[str] | None = None,
                       config: str | os.PathLike[str] | None = None) -> Path | None:
    if explicit is not None:
        path = Path(explicit)
        if not path.is_file():
            raise WorkflowConfigError(f"{path}: no such settings file")
        return path
    folders = [Path.cwd()]
    if config is not None:
        folders.append(Path(config).resolve().parent)
    for folder in folders:
        for name in SETTINGS_FILES:
            if (folder / name).is_file():
                return folder / name
    return None


def import_required(modules: list[str] | tuple[str, ...], base: Path | None,
                    where: str) -> None:
    """Import each module and every submodule under it (the steps register themselves)."""
    for folder in (Path.cwd(), base):
        if folder is not None and str(folder) not in sys.path:
            sys.path.insert(0, str(folder))
    importlib.invalidate_caches()
    for name in modules:
        try:
            module = importlib.import_module(name)
            for sub in pkgutil.walk_packages(getattr(module, "__path__", []), name + "."):
                importlib.import_module(sub.name)
        except Exception as exc:
            raise WorkflowConfigError(f"{where}: required module {name!r} cannot be imported: "
                                      f"{type(exc).__name__}: {exc}") from exc


def _component(raw: Any, base: type, default_kind: str, registry: Any, where: str,
               key: str) -> Any:
    if raw is None:
        return registry.get(default_kind)()
    if isinstance(raw, str):
        raw = {"type": raw}
    if not isinstance(raw, Mapping) or not isinstance(raw.get("type", default_kind), str):
        raise WorkflowConfigError(f"{where}: {key}: must be a kind or an object with 'type'")
    from provgraph.workflow import build

    config = {"type": default_kind, **raw}
    try:
        built = build.build_argument(build.builder(), None, key, config, base)
    except WorkflowConfigError as exc:
        raise WorkflowConfigError(f"{where}: {exc}") from exc.__cause__
    if not isinstance(built, base):
        raise WorkflowConfigError(f"{where}: {key}: {type(built).__name__} is not a "
                                  f"{base.__name__}")
    return built


def _check(value: Any, kind: type | tuple[type, ...], where: str, what: str) -> Any:
    if not isinstance(value, kind):
        raise WorkflowConfigError(f"{where}: must be {what}")
    return value


def load_workflow_settings(path: str | os.PathLike[str] | None = None, *,
                           config: str | os.PathLike[str] | None = None) -> WorkflowEnvironment:
    """Read the settings file (found as the module docstring says), import its modules,
    set its environment variables and log levels; the executor and organizer built."""
    defaults = get_settings().section(CachedStepSettings)
    found = find_settings_file(path, config)
    raw: Any = {}
    if found is not None:
        try:
            raw = yaml.safe_load(found.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise WorkflowConfigError(f"{found}: cannot read the settings file: {exc}") from None
    where = str(found) if found else "settings"
    _check(raw, dict, where, "a mapping")
    for key in raw:
        if key not in _KEYS:
            raise WorkflowConfigError(f"{where}: unknown key {key!r} (known: {', '.join(_KEYS)})")
    environment = _check(raw.get("environment") or {}, dict, f"{where}: environment",
                         "a mapping of names to values")
    environment = {str(k): str(v) for k, v in environment.items()}
    os.environ.update(environment)
    modules = _check(raw.get("required_modules") or [], list, f"{where}: required_modules",
                     "a list of module names")
    for name in modules:
        _check(name, str, f"{where}: required_modules", "a list of module names")
    import_required(modules, found.parent if found else None, where)
    levels: dict[str, str] = {}
    for logger, level in (_check(raw.get("logging") or {}, dict, f"{where}: logging",
                                 "a mapping of logger names to levels")).items():
        name = level.get("level") if isinstance(level, dict) else level
        if not isinstance(name, str) or name.upper() not in logging.getLevelNamesMapping():
            raise WorkflowConfigError(f"{where}: logging.{logger}: not a log level: {name!r}")
        logging.getLogger(logger).setLevel(name.upper())
        levels[str(logger)] = name.upper()
    workflow = _check(raw.get("workflow") or {}, dict, f"{where}: workflow", "a mapping")
    for key in workflow:
        if key not in _WORKFLOW_KEYS:
            raise WorkflowConfigError(f"{where}: unknown key 'workflow.{key}' "
                                      f"(known: {', '.join(_WORKFLOW_KEYS)})")
    settings = WorkflowSettings(
        executor=_component(workflow.get("executor"), WorkflowExecutor, defaults.executor,
                            EXECUTORS, where, "workflow.executor"),
        organizer=_component(workflow.get("organizer"), WorkflowOrganizer, defaults.organizer,
                             ORGANIZERS, where, "workflow.organizer"),
    )
    return WorkflowEnvironment(settings, environment, tuple(modules), levels, found)
