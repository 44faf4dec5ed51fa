"""JSON encoding of messages with orjson, replacing what JSON cannot hold (never raising).

Replacement follows the Flowcept documentation: an object with ``to_flowcept_dict()`` or
``to_dict()`` is converted with it; an instance of a class registered with
:func:`register_dict_class` becomes its ``__dict__``; anything else becomes the string
``<Class>_instance_id_<id>``. A user method or dunder that raises never breaks encoding:
the value falls back to the next rule.

Size cap (``instrumentation.max_value_bytes``): a value larger than the cap is recorded as
a summary, ``{"summary_of": <type>, "size_bytes": ..., "sha256": ..., ...}`` with its
length (strings, bytes, lists, dicts) or dtype and shape (arrays), never copied into the
message. Arrays and bytes are summarized before anything is converted; other values are
measured by their JSON, and only when the whole message is above the cap (the hot path
pays one length comparison). The same value always gives the same summary, so a large
value produced by one task and read by another still links them.
"""

from __future__ import annotations

import hashlib
import logging
import math
from typing import Any

import orjson

log = logging.getLogger(__name__)

_DICT_CLASSES: set[type] = set()
# No OPT_SERIALIZE_NUMPY: arrays reach ``replace_value``, which looks at their size first.
_FAST_OPTIONS = 0
# Non-string keys cost ~40% more per message in orjson, so they are allowed only on retry.
_OPTIONS = orjson.OPT_NON_STR_KEYS
_NUMPY = orjson.OPT_SERIALIZE_NUMPY
_HASH_CHUNK = 1 << 20  # characters (or array rows) hashed at a time: bounded extra memory
_failures = 0
DEFAULT_MAX_VALUE_BYTES = 256 * 1024
_NO_CAP = 1 << 62
_cap_bytes = DEFAULT_MAX_VALUE_BYTES  # read on every message: a module global, no call


def register_dict_class(cls: type) -> type:
    """Serialize instances of ``cls`` through their ``__dict__`` (usable as a decorator)."""
    _DICT_CLASSES.add(cls)
    return cls


def set_max_value_bytes(limit: int) -> None:
    """The size cap for one value (the recorder sets it from the settings); 0: no cap."""
    global _cap_bytes
    _cap_bytes = int(limit) if int(limit) > 0 else _NO_CAP


def instance_id(value: Any) -> str:
    return f"{type(value).__name__}_instance_id_{id(value)}"


# --- summaries of large values ---------------------------------------------------------------


def _digest_text(text: str) -> str:
    digest = hashlib.sha256()
    for start in range(0, len(text), _HASH_CHUNK):
        digest.update(text[start:start + _HASH_CHUNK].encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def _digest_array(array: Any) -> str | None:
    """sha256 of an array's raw data, without copying a contiguous one whole."""
    digest = hashlib.sha256()
    try:
        if getattr(array.dtype, "hasobject", False):
            return None  # the data are pointers: no content to hash
        if array.flags.c_contiguous:
            digest.update(memoryview(array).cast("B"))
        elif array.ndim > 1:
            for row in array:
                digest.update(row.tobytes())
        else:
            for start in range(0, array.shape[0], _HASH_CHUNK):
                digest.update(array[start:start + _HASH_CHUNK].tobytes())
    except Exception:  # an array-like that is not quite numpy
        return None
    return digest.hexdigest()


def _array_summary(value: Any) -> dict[str, Any]:
    summary: dict[str, Any] = {"summary_of": type(value).__name__}
    try:
        summary["dtype"] = str(value.dtype)
        summary["shape"] = [int(n) for n in value.shape]
        summary["size_bytes"] = int(value.nbytes)
    except Exception:
        pass
    digest = _digest_array(value)
    if digest is not None:
        summary["sha256"] = digest
    return summary


def _bytes_summary(value: bytes | bytearray | memoryview) -> dict[str, Any]:
    data = memoryview(value).cast("B")
    return {"summary_of": type(value).__name__, "size_bytes": data.nbytes,
            "sha256": hashlib.sha256(data).hexdigest()}


def _summary(value: Any, encoded: bytes) -> dict[str, Any]:
    """What is recorded of a value whose JSON ``encoded`` is above the cap."""
    if isinstance(value, str):
        return {"summary_of": "str", "length": len(value),
                "size_bytes": len(encoded), "sha256": _digest_text(value)}
    summary: dict[str, Any] = {"summary_of": type(value).__name__}
    if isinstance(value, list | tuple | dict | set | frozenset):
        summary["length"] = len(value)
    summary["size_bytes"] = len(encoded)
    summary["sha256"] = hashlib.sha256(encoded).hexdigest()
    return summary


def _is_array(value: Any) -> bool:
    """numpy arrays and scalars, without importing numpy."""
    kind = type(value)
    return kind.__module__ == "numpy" and hasattr(kind, "dtype") and hasattr(kind, "tolist")


def _array_value(value: Any) -> Any:
    try:
        nbytes = int(value.nbytes)
    except Exception:
        nbytes = 0
    if nbytes > _cap_bytes:
        return _array_summary(value)
    try:  # orjson's own numpy encoder (no Python objects per element)
        return orjson.Fragment(orjson.dumps(value, option=_NUMPY))
    except TypeError:
        return value.tolist()


# --- replacing what JSON cannot hold ---------------------------------------------------------


def replace_value(value: Any) -> Any:
    """The JSON-able stand-in for one value orjson cannot encode itself (never raises)."""
    try:
        if _is_array(value):  # first: the common non-JSON value, and no to_dict to look up
            return _array_value(value)
        return _replace(value)
    except Exception:  # a hostile __getattr__, __len__, __iter__...
        return instance_id(value)


def _replace(value: Any) -> Any:
    for method in ("to_flowcept_dict", "to_dict"):
        try:
            convert = getattr(value, method, None)
        except Exception:  # a property or __getattr__ that raises
            continue
        if callable(convert):
            try:
                return convert()
            except Exception:  # a broken user method must not break capture
                break
    if type(value) in _DICT_CLASSES:
        return dict(vars(value))
    if isinstance(value, bytes | bytearray | memoryview):
        if len(value) > _cap_bytes:
            return _bytes_summary(value)
        return f"bytes:{len(value)}"
    if isinstance(value, set | frozenset):
        try:
            return sorted(value, key=repr)
        except Exception:  # an item whose __repr__ raises, or mixed types
            return list(value)
    if isinstance(value, complex):
        return str(value)
    if isinstance(value, list | tuple):
        return list(value)
    return instance_id(value)


def _text(value: Any) -> str:
    """``str(value)``, or a stand-in when its ``__str__`` raises (dict keys)."""
    try:
        return str(value)
    except Exception:
        return instance_id(value)


def _int(value: int) -> int | str:
    if -(2**63) <= value < 2**64:
        return value
    try:
        return str(value)
    except ValueError:  # more digits than int -> str allows: hex has no limit
        return hex(value)


def _sanitize(value: Any, depth: int = 0) -> Any:
    """Slow path: walk a structure orjson rejected and make every leaf safe."""
    if depth > 64:
        return instance_id(value)
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return _int(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, dict):
        return {_text(k): _sanitize(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_sanitize(v, depth + 1) for v in value]
    if isinstance(value, orjson.Fragment):
        return value
    try:
        orjson.dumps(value, option=_OPTIONS)
        return value
    except TypeError:
        return _sanitize(replace_value(value), depth + 1)


def _encode(value: Any) -> bytes:
    """orjson with the replacement rules, without the size cap; never raises."""
    global _failures
    try:
        return orjson.dumps(value, default=replace_value, option=_FAST_OPTIONS)
    except Exception:
        pass
    try:
        return orjson.dumps(value, default=replace_value, option=_OPTIONS)
    except Exception:
        pass
    try:
        return orjson.dumps(_sanitize(value), option=_OPTIONS)
    except Exception as exc:  # pragma: no cover - _sanitize leaves only JSON types
        _failures += 1
        if _failures == 1:
            log.warning("cannot encode a message, storing its type: %s", type(exc).__name__)
        return orjson.dumps({"type": "unencodable", "repr": instance_id(value)})


def _capped(message: dict[str, Any]) -> dict[str, Any] | None:
    """A copy of ``message`` whose values above the cap are summaries (``None``: none was).

    Looked at: each value of the dict fields (``used``, ``generated``, ...) and each other
    top-level field. The user's own dicts are never changed.
    """
    changed = [False]

    def capped(value: Any) -> Any:
        if type(value) is orjson.Fragment:  # pre-encoded fixed fields (``head``): ours
            return value
        encoded = _encode(value)
        if len(encoded) <= _cap_bytes:
            return value
        changed[0] = True
        return _summary(value, encoded)

    out = {key: {name: capped(value) for name, value in field.items()}
           if type(field) is dict else capped(field)
           for key, field in message.items()}
    return out if changed[0] else None


def dumps(message: Any) -> bytes:
    """Encode one message, values above the size cap summarized; never raises."""
    try:  # the hot path, inlined
        data = orjson.dumps(message, default=replace_value, option=_FAST_OPTIONS)
    except Exception:
        data = _encode(message)
    if len(data) > _cap_bytes and isinstance(message, dict):
        try:
            capped = _capped(message)
        except Exception:  # pragma: no cover - _encode and _summary do not raise
            capped = None
        if capped is not None:
            data = _encode(capped)
    return data


def head(fields: dict[str, Any]) -> orjson.Fragment:
    """The fixed fields of a message, encoded once, to stand as the value of their first
    key: ``{first_key: head(fields), **per_call}`` encodes as ``{**fields, **per_call}``.

    orjson writes a ``Fragment`` verbatim, so a message pays one copy of its fixed fields
    instead of encoding them again, with no slicing or joining of bytes afterwards. The
    size cap does not apply to them (names, ids, the code plan: ours, and small).
    """
    if not fields:
        raise ValueError("head() needs at least one field")
    first = next(iter(fields))
    encoded = _encode(fields)
    start = len(orjson.dumps(first)) + 2  # '{', the first key, ':'
    return orjson.Fragment(encoded[start:-1])


loads = orjson.loads
