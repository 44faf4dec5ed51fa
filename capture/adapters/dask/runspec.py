"""Reading what a Dask task runs: its function and its arguments, with the values they had.

Current dask/distributed releases (2024.12 and later) give a worker's task a ``run_spec``
that is a ``dask.Task``: ``func``, ``args`` and ``kwargs``, where an argument that comes
from another task is a reference (``TaskRef``, ``Alias``), a literal may be wrapped
(``DataNode``) and containers holding references are graph nodes too (``List``,
``Tuple``, ``Set``, ``Dict``). Older releases gave a ``(func, args, kwargs)`` tuple.
:func:`read_call` reads both, replacing each reference by the value the worker holds for
it, without running anything: a nested task (fused graphs) is described, never called.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from dask import _task_spec as spec
from dask.sizeof import sizeof
from dask.utils import funcname

_FIXED_SIZE = (type(None), bool, int, float)  # never worth sizing


@dataclass(slots=True)
class Call:
    """A task's function and its arguments as the function received them."""

    func: Callable[..., Any]
    args: tuple[Any, ...]
    kwargs: dict[str, Any]


class Unreadable(Exception):
    """The run spec is of a shape this module does not know (the reason is the message)."""


class Values:
    """The values of a task's dependencies as the worker holds them, big ones described.

    Reads the worker's in-memory store directly (a spilling worker's ``SpillBuffer``
    costs far more per read, and would bring spilled values back from disk): a value
    spilled to disk is described, never loaded.
    """

    __slots__ = ("_data", "_max_bytes", "_memory", "_sizes")

    def __init__(self, data: Mapping[Any, Any], sizes: Mapping[Any, int | None],
                 max_bytes: int, memory: Mapping[Any, Any] | None = None) -> None:
        self._data = data
        self._memory = in_memory(data) if memory is None else memory
        self._sizes = sizes
        self._max_bytes = max_bytes

    def get(self, key: Any) -> Any:
        size = self._sizes.get(key)
        if self._max_bytes and size is not None and size > self._max_bytes:
            return describe_key(key, size)
        value = self._memory.get(key, _MISSING)
        if value is _MISSING:
            if key in self._data:
                return f"<dask key {key_text(key)} (spilled to disk)>"
            return f"<dask key {key_text(key)} (not on this worker)>"
        return limit_size(value, self._max_bytes, key)


_MISSING = object()


def in_memory(data: Mapping[Any, Any]) -> Mapping[Any, Any]:
    """The plain mapping of the values a worker holds in memory: its ``data`` itself, or
    the in-memory part of a ``SpillBuffer`` (``data.fast.d``)."""
    if type(data) is dict:
        return data
    fast = getattr(getattr(data, "fast", None), "d", None)
    if isinstance(fast, dict):
        return fast
    return data


def key_text(key: Any) -> str:
    """A Dask key as the task id it becomes (``'inc-3f2a...'``, ``"('x', 0)"``)."""
    return key if type(key) is str else str(key)


def describe_key(key: Any, size: int, value: Any = None) -> str:
    """The stand-in for a value too big to record; the same text for producer and consumer,
    so both tasks share the entity."""
    kind = type(value).__name__ + " " if value is not None else ""
    return f"<{kind}{size} bytes: dask key {key_text(key)}>"


def limit_size(value: Any, max_bytes: int, key: Any = None) -> Any:
    """``value``, or a description of it when Dask sizes it above ``max_bytes``."""
    if not max_bytes or type(value) in _FIXED_SIZE:
        return value
    try:
        size = sizeof(value)
    except Exception:  # a broken __sizeof__: record the value and let encoding decide
        return value
    if size <= max_bytes:
        return value
    if key is not None:
        return describe_key(key, size, value)
    return f"<{type(value).__name__} of {size} bytes>"


def read_call(run_spec: Any, values: Values, max_bytes: int) -> Call:
    """The call ``run_spec`` makes, with dependency values filled in (raises ``Unreadable``)."""
    if isinstance(run_spec, spec.Task) and not isinstance(run_spec, spec.NestedContainer):
        args = tuple(_resolve(a, values, max_bytes) for a in run_spec.args)
        kwargs = {str(k): _resolve(v, values, max_bytes) for k, v in run_spec.kwargs.items()}
        return Call(run_spec.func, args, kwargs)
    if isinstance(run_spec, spec.Alias):
        return Call(_alias, (values.get(run_spec.target),), {})
    if isinstance(run_spec, spec.DataNode):
        return Call(_data, (limit_size(run_spec.value, max_bytes),), {})
    if isinstance(run_spec, tuple) and run_spec and callable(run_spec[0]):  # before 2024.12
        func, *rest = run_spec
        args = rest[0] if rest else ()
        kwargs = rest[1] if len(rest) > 1 else {}
        if isinstance(args, tuple | list) and isinstance(kwargs, dict):
            return Call(func, tuple(limit_size(a, max_bytes) for a in args),
                        {str(k): limit_size(v, max_bytes) for k, v in kwargs.items()})
    raise Unreadable(f"run spec of type {type(run_spec).__name__} is not a dask.Task")


def _resolve(node: Any, values: Values, max_bytes: int) -> Any:
    if type(node) in _FIXED_SIZE:  # most literal arguments: nothing to resolve or size
        return node
    if isinstance(node, spec.TaskRef):
        return values.get(node.key)
    if isinstance(node, spec.Alias):
        return values.get(node.target)
    if isinstance(node, spec.DataNode):
        return limit_size(node.value, max_bytes)
    if isinstance(node, spec.NestedContainer):
        items = tuple(_resolve(a, values, max_bytes) for a in node.args)
        return type(node).constructor(items)
    if isinstance(node, spec.Task):  # an inlined computation: described, never run
        return f"<task {funcname(node.func)}>"
    return limit_size(node, max_bytes)


def _alias(value: Any) -> Any:
    return value


def _data(value: Any) -> Any:
    return value


def activity_of(func: Callable[..., Any]) -> str:
    """The activity id of a task running ``func`` (Dask's own name for it)."""
    if func is _alias:
        return "alias"
    if func is _data:
        return "data"
    return str(funcname(func))
