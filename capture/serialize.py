"""JSON encoding of messages with orjson, replacing what JSON cannot hold (never raising).

Replacement follows the Flowcept documentation: an object with ``to_flowcept_dict()`` or
``to_dict()`` is converted with it; an instance of a class registered with
:func:`register_dict_class` becomes its ``__dict__``; anything else becomes the string
``<Class>_instance_id_<id>``.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable
from typing import Any

import orjson

log = logging.getLogger(__name__)

_DICT_CLASSES: set[type] = set()
_FAST_OPTIONS = orjson.OPT_SERIALIZE_NUMPY
# Non-string keys cost ~40% more per message in orjson, so they are allowed only on retry.
_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY
_failures = 0


def register_dict_class(cls: type) -> type:
    """Serialize instances of ``cls`` through their ``__dict__`` (usable as a decorator)."""
    _DICT_CLASSES.add(cls)
    return cls


def instance_id(value: Any) -> str:
    return f"{type(value).__name__}_instance_id_{id(value)}"


def replace_value(value: Any) -> Any:
    """The JSON-able stand-in for one value orjson cannot encode itself."""
    for method in ("to_flowcept_dict", "to_dict"):
        convert = getattr(value, method, None)
        if callable(convert):
            try:
                return convert()
            except Exception:  # a broken user method must not break capture
                break
    if type(value) in _DICT_CLASSES:
        return dict(vars(value))
    if isinstance(value, set | frozenset):
        return sorted(value, key=repr)
    if isinstance(value, bytes | bytearray | memoryview):
        return f"bytes:{len(value)}"
    if isinstance(value, complex):
        return str(value)
    if isinstance(value, Iterable) and isinstance(value, list | tuple):
        return list(value)
    return instance_id(value)


def _sanitize(value: Any, depth: int = 0) -> Any:
    """Slow path: walk a structure orjson rejected and make every leaf safe."""
    if depth > 64:
        return instance_id(value)
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return value if -(2**63) <= value < 2**64 else str(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, dict):
        return {str(k): _sanitize(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_sanitize(v, depth + 1) for v in value]
    try:
        orjson.dumps(value, option=_OPTIONS)
        return value
    except TypeError:
        return _sanitize(replace_value(value), depth + 1)


def dumps(message: Any) -> bytes:
    """Encode one message; never raises."""
    global _failures
    try:
        return orjson.dumps(message, default=replace_value, option=_FAST_OPTIONS)
    except TypeError:
        try:
            return orjson.dumps(message, default=replace_value, option=_OPTIONS)
        except TypeError:
            pass
        try:
            return orjson.dumps(_sanitize(message), option=_OPTIONS)
        except TypeError as exc:  # pragma: no cover - _sanitize leaves only JSON types
            _failures += 1
            if _failures == 1:
                log.warning("cannot encode a message, storing its repr: %s", exc)
            return orjson.dumps({"type": "unencodable", "repr": repr(message)[:1000]})



def to_jsonable(value: Any) -> Any:
    """The value as plain JSON types (what a reader of the hub will see)."""
    return orjson.loads(dumps(value))


loads = orjson.loads
