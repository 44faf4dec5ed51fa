"""Extension points by name: one small registry per kind of extension.

A base class (``Hub``, ``Source``, ``Store``, ``Command``, ``Adapter``...) owns a
:class:`Registry` named after an entry-point group. ``get(kind)`` looks in three places,
in this order:

1. what was registered in this process: subclasses register themselves by their ``kind``
   when they are defined (``__init_subclass__``), anything else with :meth:`Registry.register`;
2. the entry points of the group: provgraph declares its built-ins in ``pyproject.toml``
   exactly as another package declares its own, e.g.
   ``[project.entry-points."provgraph.hubs"] kafka = "mypkg.hubs:KafkaHub"``;
3. a dotted path, ``"mypkg.hubs:KafkaHub"`` or ``"mypkg.hubs.KafkaHub"`` (the OpenLineage
   client's transport factory does the same).

An entry point whose optional dependency is missing raises a
:class:`~provgraph.core.errors.CapabilityMissingError` naming the extra to install (the
``[extra]`` of the entry point).

    >>> from provgraph.core.registry import Registry
    >>> SHAPES: Registry[type] = Registry("shape", "example.shapes")
    >>> SHAPES.register("square", int)
    >>> SHAPES.get("square")
    <class 'int'>
"""

from __future__ import annotations

import functools
import importlib
import importlib.metadata
import logging
from typing import Any, Generic, TypeVar

from provgraph.core.errors import CapabilityMissingError, ExtensionError, ProvgraphError
from provgraph.core.shadowing import shadowing_message

log = logging.getLogger(__name__)

T = TypeVar("T")

DISTRIBUTION = "provgraph"

# Entry-point groups of provgraph's extension points.
HUBS = "provgraph.hubs"
SOURCES = "provgraph.sources"
STORES = "provgraph.stores"
EXPORTERS = "provgraph.exporters"
ADAPTERS = "provgraph.adapters"
COMMANDS = "provgraph.commands"
PROVIDERS = "provgraph.providers"
SETTINGS = "provgraph.settings"

_BY_GROUP: dict[str, Registry[Any]] = {}


@functools.cache
def _all_entry_points() -> Any:
    # EntryPoints on Python 3.12, SelectableGroups on 3.11: both have ``select``.
    return importlib.metadata.entry_points()


@functools.cache
def entry_points(group: str) -> dict[str, importlib.metadata.EntryPoint]:
    """The entry points of ``group`` by name (the installed metadata is read once)."""
    return {ep.name: ep for ep in _all_entry_points().select(group=group)}


def is_dotted_path(kind: str) -> bool:
    """Whether ``kind`` names an object by import path rather than by registered name."""
    return ":" in kind or "." in kind


def import_path(path: str) -> Any:
    """The object at ``package.module:Name`` (or ``package.module.Name``)."""
    module_name, sep, attr = path.partition(":")
    if not sep:
        module_name, _, attr = path.rpartition(".")
    if not module_name or not attr:
        raise ExtensionError(f"{path!r} is not a dotted path like 'package.module:Name'")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        hint = shadowing_message(module_name)
        if hint:
            raise ExtensionError(hint) from exc
        raise ExtensionError(f"cannot import {module_name!r} for {path!r}: {exc}") from exc
    try:
        return getattr(module, attr)
    except AttributeError:
        raise ExtensionError(f"module {module_name!r} has no {attr!r}") from None


def load_entry_point(ep: importlib.metadata.EntryPoint, what: str) -> Any:
    """``ep.load()``, with a missing optional dependency reported as the extra to install."""
    try:
        return ep.load()
    except ImportError as exc:
        hint = shadowing_message(ep.module)
        if hint:
            raise ExtensionError(hint) from exc
        if not isinstance(exc, ModuleNotFoundError):
            raise
        extras = ep.extras
        if extras:
            wanted = f"{DISTRIBUTION}[{','.join(extras)}]"
            raise CapabilityMissingError(
                f"the {ep.name!r} {what} needs {exc.name or 'a package'} that is not installed: "
                f"pip install '{wanted}'"
            ) from exc
        raise ExtensionError(
            f"the {ep.name!r} {what} cannot be loaded ({ep.value}): {exc}"
        ) from exc


class Registry(Generic[T]):
    """Named extensions of one kind (see the module docstring)."""

    def __init__(self, what: str, group: str, error: type[ProvgraphError] = ExtensionError,
                 *, base: type | None = None) -> None:
        self.what = what  # "hub", "store", ... for messages
        self.group = group
        self.error = error
        # The base class whose subclasses this registry names, when a config may give one
        # of them by kind in place of a value of that type (see :func:`registry_for`).
        self.base = base
        self._items: dict[str, T] = {}
        _BY_GROUP[group] = self

    def register(self, kind: str, item: T) -> None:
        """Make ``item`` available as ``kind`` (an empty kind registers nothing)."""
        if kind:
            self._items[kind] = item

    def kinds(self) -> list[str]:
        """Every name known now: registered ones and the group's entry points."""
        return sorted({*self._items, *entry_points(self.group)})

    def __contains__(self, kind: object) -> bool:
        return isinstance(kind, str) and kind in self.kinds()

    def get(self, kind: str) -> T:
        """The extension named ``kind`` (registered, entry point, or dotted path)."""
        if not isinstance(kind, str) or not kind:
            raise self.error(f"a {self.what} kind must be a non-empty string, got {kind!r}")
        found = self._items.get(kind)
        if found is not None:
            return found
        ep = entry_points(self.group).get(kind)
        if ep is not None:
            try:
                item: T = load_entry_point(ep, self.what)
            except ExtensionError as exc:
                if isinstance(exc, self.error | CapabilityMissingError):
                    raise
                raise self.error(str(exc)) from exc
        elif is_dotted_path(kind):
            try:
                item = import_path(kind)
            except ExtensionError as exc:
                raise self.error(f"{self.what} {kind!r}: {exc}") from exc
        else:
            known = ", ".join(self.kinds()) or "none"
            raise self.error(f"unknown {self.what} kind {kind!r}; known: {known}")
        self._items.setdefault(kind, item)
        return self._items[kind]


def registry_for(cls: type) -> Registry[Any] | None:
    """The registry declared with a ``base`` that ``cls`` derives from, if any: how a config
    builder turns ``'json'`` into the registered class for a parameter of that type without
    importing every extension point's module."""
    for candidate in _BY_GROUP.values():
        if candidate.base is not None and issubclass(cls, candidate.base):
            return candidate
    return None


def known_kinds(group: str) -> list[str]:
    """The names known for ``group``, whether or not its registry was created in this process."""
    registry = _BY_GROUP.get(group)
    if registry is not None:
        return registry.kinds()
    return sorted(entry_points(group))
