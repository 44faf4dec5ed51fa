"""Lineage through passed objects: a task that receives the very object an earlier task
returned depends on that task.

Content addressing (prov_model.entities) links long strings, paths and containers by
value. A number or a short string carries no lineage by value, and must not: two tasks
that use ``epochs=3`` are unrelated. What relates them is identity: when the object a
captured call (or an explicit task, or a loop iteration) produced is later passed as an
argument to a captured call in the same process, the later task depends on the earlier
one. The later task's message then says so:

* ``dependencies``: the producer's task id (so ``WAS_INFORMED_BY``), and
* ``used_from``: ``{role: [producer_task_id, producer_role]}``, so its ``used`` edge for
  that role reaches the producer's generated entity instead of a fresh local one.

Rules, so that no link is ever guessed:

* Objects Python shares by value cannot be told apart and are never remembered: None,
  booleans, small ints (-5..256), empty or one-character strings and identifier-like
  strings (interned), the constants of the producing function's own code, classes and
  modules.
* An object that supports weak references is remembered by a weak reference: once it is
  freed the entry answers nothing, so a new object that reuses its ``id`` is never taken
  for it. Numbers and short strings (which do not) are held by a strong reference while
  remembered, so their ``id`` cannot be reused meanwhile; identity is checked on every
  lookup. Other objects without weak references (lists, dicts, tuples) are not remembered:
  content addressing links them when they are large enough to be told apart.
* At most ``instrumentation.passed_objects`` objects are remembered (default 4096), the
  oldest forgotten first: memory stays bounded, however long the run. ``0`` switches
  this lineage off.
* The first producer of an object keeps it: a loop iteration that records the loss its
  training call returned does not take that loss over.
"""

from __future__ import annotations

import types
import weakref
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

# id(object) -> (weak reference or the object, weak?, producer task id, producer role)
_Entry = tuple[Any, bool, str, str]
# Oldest first: an OrderedDict forgets its oldest entry in O(1) (deleting the first key
# of a plain dict again and again makes each next deletion scan the holes left before).
_ENTRIES: OrderedDict[int, _Entry] = OrderedDict()
_cap = 4096

# Types whose objects are held strongly while remembered (no weak references, cheap to
# hold, and told apart by identity when not shared by the interpreter).
_STRONG: frozenset[type] = frozenset({int, float, complex, str, bytes})
_MAX_STRONG_LEN = 4096  # longer strings and bytes are linked by content, not held here
# Never remembered: singletons and objects the interpreter shares process-wide.
_SHARED: frozenset[type] = frozenset({
    type(None), bool, type, types.ModuleType, types.FunctionType, types.BuiltinFunctionType,
    type(Ellipsis), type(NotImplemented),
})
_weakable: dict[type, bool] = {}


def set_capacity(capacity: int) -> None:
    """How many produced objects are remembered (``0``: none); forgets what is over it."""
    global _cap
    _cap = max(int(capacity), 0)
    while len(_ENTRIES) > _cap:
        _evict()


def clear() -> None:
    """Forget every produced object."""
    _ENTRIES.clear()


def remembered() -> int:
    """How many produced objects are remembered now."""
    return len(_ENTRIES)


def _evict() -> None:
    try:  # not contextlib.suppress: this runs on every captured call once full
        _ENTRIES.popitem(last=False)
    except KeyError:  # another thread emptied it first
        return


def _is_weakable(kind: type) -> bool:
    known = _weakable.get(kind)
    if known is None:
        known = _weakable[kind] = kind.__weakrefoffset__ != 0
    return known


def produced(value: Any, task_id: str, role: str, constants: frozenset[int] = frozenset()
             ) -> None:
    """Remember that task ``task_id`` produced ``value`` as ``role``. ``constants``: the ids
    of the producing function's code constants (returned constants are not outputs that
    can be told apart from the same constant elsewhere)."""
    if not _cap:
        return
    kind = type(value)
    if kind in _STRONG:
        if kind is int:
            if -5 <= value <= 256:
                return
        elif kind is str:
            if len(value) <= 1 or len(value) > _MAX_STRONG_LEN or value.isidentifier():
                return
        elif kind is bytes and (len(value) <= 1 or len(value) > _MAX_STRONG_LEN):
            return
        key = id(value)
        if key in constants:
            return
        entry: _Entry = (value, False, task_id, role)
    elif kind in _SHARED or not _is_weakable(kind):
        return
    else:
        key = id(value)
        if key in constants:
            return
        try:
            entry = (weakref.ref(value), True, task_id, role)
        except TypeError:  # a type that refuses weak references after all
            return
    old = _ENTRIES.setdefault(key, entry)  # one lookup in the common case: a new object
    if old is not entry:
        if (old[0]() if old[1] else old[0]) is value:
            return  # the first producer keeps it
        _ENTRIES[key] = entry  # the id of a freed object, now another one's
    if len(_ENTRIES) > _cap:
        _evict()


def produced_all(values: Mapping[Any, Any] | None, task_id: str,
                 constants: frozenset[int] = frozenset()) -> None:
    """:func:`produced` for each item of a ``generated`` dict."""
    if not values or not _cap:
        return
    try:
        for role, value in values.items():
            produced(value, task_id, role if type(role) is str else str(role), constants)
    except Exception:  # a key whose __str__ raises: capture never raises into user code
        return


def producer_of(value: Any) -> tuple[str, str] | None:
    """``(task id, role)`` of the task that produced this very object, else ``None``."""
    entry = _ENTRIES.get(id(value))
    if entry is None:
        return None
    held = entry[0]() if entry[1] else entry[0]
    if held is not value:  # freed (a dead weak reference) or another object
        return None
    return entry[2], entry[3]


def link_used(message: dict[str, Any]) -> None:
    """Add ``dependencies`` and ``used_from`` to a task ``message`` for the objects of its
    ``used`` dict that earlier tasks produced (nothing when none did)."""
    if not _ENTRIES:
        return
    used = message.get("used")
    if type(used) is not dict or _ENTRIES.keys().isdisjoint(map(id, used.values())):
        return  # the common case, decided in C: no argument is a remembered object
    own = message.get("task_id")
    try:
        used_from = _sources(used, own)
    except Exception:  # a key whose __str__ raises: capture never raises into user code
        return
    if used_from is None:
        return
    dependencies = message.get("dependencies")
    known = list(dependencies) if isinstance(dependencies, list | tuple) else []
    for producer, _role in used_from.values():
        if producer not in known:
            known.append(producer)
    message["dependencies"] = known
    message["used_from"] = used_from


def _sources(used: dict[Any, Any], own: Any) -> dict[str, list[str]] | None:
    used_from: dict[str, list[str]] | None = None
    for role, value in used.items():
        entry = _ENTRIES.get(id(value))
        if entry is None:
            continue
        held = entry[0]() if entry[1] else entry[0]
        if held is not value or entry[2] == own:
            continue
        if used_from is None:
            used_from = {}
        used_from[role if type(role) is str else str(role)] = [entry[2], entry[3]]
    return used_from
