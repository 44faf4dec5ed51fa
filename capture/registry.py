"""Extension points by name: the one registry behind hubs, keeper sources and stores.

A base class owns a :class:`Registry`; its subclasses register themselves by their
``kind`` when defined (``__init_subclass__``), and the registry imports its built-in
modules on first lookup, so ``registry.get("redis")`` works without importing anything
by hand. A built-in module whose optional dependency is missing is skipped.
"""

from __future__ import annotations

import importlib
from typing import Generic, TypeVar

from capture.errors import ProvgraphError

T = TypeVar("T")


class Registry(Generic[T]):
    def __init__(self, what: str, error: type[ProvgraphError], builtin: tuple[str, ...]) -> None:
        self.what = what  # "hub", "store", ... for messages
        self.error = error
        self.builtin = builtin
        self._classes: dict[str, type[T]] = {}
        self._loaded = False

    def add(self, kind: str, cls: type[T]) -> None:
        if kind:
            self._classes[kind] = cls

    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        for module in self.builtin:
            try:
                importlib.import_module(module)
            except ModuleNotFoundError as exc:  # an optional dependency is not installed
                if exc.name == module:
                    raise
                continue

    def kinds(self) -> list[str]:
        self._load()
        return sorted(self._classes)

    def get(self, kind: str) -> type[T]:
        self._load()
        try:
            return self._classes[kind]
        except KeyError:
            raise self.error(
                f"unknown {self.what} kind {kind!r}; known: {', '.join(self.kinds())}"
            ) from None
