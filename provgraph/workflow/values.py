"""Step results as JSON (with dataclasses and tuples that come back as they were), and the
content id of any value.

A content id (``cid:<sha256 prefix>``) names a value by what it is: the canonical JSON of
a JSON-compatible value, else its cloudpickle bytes. The same id is what a step's task
``generated`` and what a downstream task ``used`` in the provenance graph, so the graph
links them, and what a downstream fingerprint folds in for an input that did not come
from a cached deterministic step.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import math
import pickle
from typing import Any

import orjson

from provgraph.workflow.errors import optional
from provgraph.workflow.source import digest

CONTENT_ID_PREFIX = "cid:"
_DATACLASS = "__dataclass__"
_TUPLE = "__tuple__"
_FIELDS = "fields"
_ENVELOPES = (_DATACLASS, _TUPLE)
_JSON_OPTIONS = orjson.OPT_SORT_KEYS


def is_json_compatible(value: Any) -> bool:
    """JSON values (finite numbers, string keys), dataclass instances and tuples of them."""
    if value is None or isinstance(value, bool | int | str):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, list):
        return all(is_json_compatible(v) for v in value)
    if type(value) is tuple:
        return all(is_json_compatible(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and k not in _ENVELOPES and is_json_compatible(v)
                   for k, v in value.items())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        cls = type(value)
        if "<locals>" in cls.__qualname__ or cls.__module__ == "__main__":
            return False  # could not be imported back by another program (pickle holds it)
        return all(is_json_compatible(getattr(value, f.name))
                   for f in dataclasses.fields(value))
    return False


def to_json(value: Any) -> Any:
    """A JSON-compatible value as plain JSON (dataclasses and tuples in envelopes)."""
    if isinstance(value, list):
        return [to_json(v) for v in value]
    if type(value) is tuple:
        return {_TUPLE: [to_json(v) for v in value]}
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        cls = type(value)
        return {_DATACLASS: f"{cls.__module__}:{cls.__qualname__}",
                _FIELDS: {f.name: to_json(getattr(value, f.name))
                          for f in dataclasses.fields(value)}}
    return value


def _import(path: str) -> Any:
    module_name, _, qualname = path.partition(":")
    obj: Any = importlib.import_module(module_name)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


def from_json(data: Any) -> Any:
    """The inverse of :func:`to_json`."""
    if isinstance(data, list):
        return [from_json(v) for v in data]
    if isinstance(data, dict):
        if set(data) == {_TUPLE}:
            return tuple(from_json(v) for v in data[_TUPLE])
        if set(data) == {_DATACLASS, _FIELDS}:
            cls = _import(data[_DATACLASS])
            fields = {k: from_json(v) for k, v in data[_FIELDS].items()}
            init = {f.name for f in dataclasses.fields(cls) if f.init}
            obj = cls(**{k: v for k, v in fields.items() if k in init})
            for name, item in fields.items():
                if name not in init:
                    object.__setattr__(obj, name, item)
            return obj
        return {k: from_json(v) for k, v in data.items()}
    return data


def canonical_json(value: Any) -> bytes:
    """Canonical JSON bytes (sorted keys) of a JSON-compatible value."""
    return orjson.dumps(to_json(value), option=_JSON_OPTIONS)


# The last value pickled for its content id, so that writing it to the cache right after
# does not pickle a (possibly large) result a second time.
_last_pickled: list[tuple[Any, bytes]] = []


def pickle_bytes(value: Any, *, keep: bool = False) -> bytes:
    """cloudpickle's bytes of ``value`` (reused once if the same object was just pickled)."""
    if _last_pickled and _last_pickled[0][0] is value:
        data = _last_pickled.pop()[1]
    else:
        cloudpickle = optional("cloudpickle", "storing a step result that JSON cannot hold")
        data = cloudpickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        _last_pickled.clear()
    if keep:
        _last_pickled[:] = [(value, data)]
    return data


def release() -> None:
    """Drop the bytes kept by :func:`pickle_bytes` (the step is done with its result)."""
    _last_pickled.clear()


def _digest(kind: bytes, data: bytes) -> str:
    hashed = hashlib.sha256(kind)
    hashed.update(data)  # no copy of a large payload
    return hashed.hexdigest()[:32]


def content_id(value: Any) -> str:
    """``cid:`` + a digest of the value's canonical JSON, else of its cloudpickle bytes."""
    if is_json_compatible(value):
        return CONTENT_ID_PREFIX + _digest(b"json:", canonical_json(value))
    try:
        return CONTENT_ID_PREFIX + _digest(b"pickle:", pickle_bytes(value, keep=True))
    except (pickle.PicklingError, TypeError, AttributeError):
        # Neither encodes it: an id that is unique to this object (it never matches).
        return CONTENT_ID_PREFIX + digest(f"object:{type(value).__qualname__}:{id(value)}")


def _plain(value: Any) -> bool:
    """Plain JSON: no dataclass, no tuple (those preview as their repr)."""
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    if isinstance(value, dict):
        return all(_plain(v) for v in value.values())
    return value is None or isinstance(value, bool | int | float | str)


def preview(value: Any, limit: int = 200) -> Any:
    """A small JSON view of a value for the provenance record: the value itself when its
    JSON is short, else its type and a shortened repr."""
    if is_json_compatible(value) and _plain(value):
        encoded = orjson.dumps(value)
        if len(encoded) <= limit:
            return orjson.loads(encoded)
    text = repr(value)
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return {"type": f"{type(value).__module__}.{type(value).__qualname__}", "repr": text}
