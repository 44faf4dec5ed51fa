"""Entity identity: which values are shared, content-addressed entities and which stay local.

The entity rule of docs/architecture.md ("The PROV graph"), made exact:

* The canonical JSON of a value is ``orjson.dumps(value, option=OPT_SORT_KEYS | OPT_NON_STR_KEYS)``
  (anything orjson cannot encode becomes ``<Class>_instance_id_<id>``, the capture rule).
* A value is **shared** when it is

  - a string of at least ``min_shared_chars`` characters, or
  - a shorter string that looks like a path or URI (``/x``, ``./x``, ``../x``, ``~/x``,
    ``C:\\x``, ``scheme://...``), or a ``<Class>_instance_id_<n>`` stand-in, or
  - a list or dict whose canonical JSON is at least ``min_shared_json_bytes`` bytes.

  Its id is ``"e:" + sha256(canonical_json).hexdigest()[:32]``: the same value anywhere (any
  task, workflow or process) is the same entity.
* Every other value (None, booleans, numbers, short strings, small structures) is **trivial**:
  its id is local to the usage, ``<activity_id>/used/<role>`` or ``<activity_id>/generated/<role>``,
  so ``epoch=3`` in two unrelated tasks does not link them.

Entity properties: ``value_type`` (``string``, ``integer``, ``number``, ``boolean``, ``null``,
``array``, ``object``, or ``instance`` for an instance-id stand-in, then with ``class_name``),
``size_bytes`` (canonical JSON length), ``hash`` (full sha256 hex of the canonical JSON; on
shared entities, and on any entity whose value is not inline: a trivial entity's value is
its own best fingerprint, and hashing it would cost ~0.6 us per value on the hot path) and
``value`` only when the canonical JSON is at most ``max_inline_bytes``: the scalar itself for
strings, numbers and booleans, the canonical JSON text for arrays and objects. ``null`` has no
``value``. Integers outside the signed 64-bit range are kept as their decimal string.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

import orjson

from prov_model.config import EntitySettings
from prov_model.delta import Node, Props
from prov_model.keys import bounded_id
from prov_model.vocab import ENTITY_LABELS, PLAN_LABELS

_JSON_OPTS = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY
_TEXT_OPTS = orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY
_INSTANCE_ID = re.compile(r"(?P<cls>\w+)_instance_id_-?\d+")
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://\S")
_PATH_PREFIXES = ("/", "./", "../", "~/")
_INT64_MIN = -(2**63)
_INT64_MAX = 2**63 - 1
_sha256 = hashlib.sha256

CONTENT_ID_PREFIX = "e:"
PLAN_ID_PREFIX = "plan:"


def _instance_default(obj: Any) -> str:
    """orjson fallback: the Flowcept stand-in for a value JSON cannot hold."""
    return f"{type(obj).__name__}_instance_id_{id(obj)}"


def _plain(value: Any, depth: int = 0) -> Any:
    """Slow path for what orjson rejects even with a default: odd keys, huge ints, deep nesting."""
    if depth > 200:
        return _instance_default(value)
    if isinstance(value, dict):
        return {str(k): _plain(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v, depth + 1) for v in value]
    if isinstance(value, int) and not isinstance(value, bool) and not _INT64_MIN <= value < 2**64:
        return str(value)
    return value


def canonical_json(value: Any) -> bytes:
    """Canonical JSON bytes of ``value`` (sorted keys; never raises)."""
    try:
        return orjson.dumps(value, default=_instance_default, option=_JSON_OPTS)
    except TypeError:
        return orjson.dumps(_plain(value), default=_instance_default, option=_JSON_OPTS)


def to_json_text(value: Any) -> str:
    """JSON text of ``value`` as given (key order kept) for ``*_json`` properties; never raises."""
    try:
        return orjson.dumps(value, default=_instance_default, option=_TEXT_OPTS).decode()
    except TypeError:
        return orjson.dumps(_plain(value), default=_instance_default, option=_TEXT_OPTS).decode()


def content_id(canonical: bytes) -> str:
    """Content id of a value from its canonical JSON."""
    return CONTENT_ID_PREFIX + _sha256(canonical).hexdigest()[:32]


def looks_like_path_or_uri(text: str) -> bool:
    if len(text) < 2:
        return False
    if text.startswith(_PATH_PREFIXES):
        return True
    if len(text) > 2 and text[1] == ":" and text[2] in "\\/" and text[0].isalpha():
        return True
    return "://" in text and _URI.match(text) is not None


def entity_node(value: Any, local_id: str, settings: EntitySettings) -> Node:
    """The ``Entity`` node for one used/generated value.

    ``local_id`` (``<activity_id>/used/<role>``) is its id when the value is trivial.
    The canonical JSON is computed once and serves id, hash, size and inline value.
    """
    kind = type(value)
    canonical = canonical_json(value)
    size = len(canonical)
    inline = size <= settings.max_inline_bytes
    props: Props = {"value_type": "", "size_bytes": size}
    shared = False
    if kind is str:
        props["value_type"] = "string"
        if "_instance_id_" in value and (m := _INSTANCE_ID.fullmatch(value)) is not None:
            shared = True
            props["value_type"] = "instance"
            props["class_name"] = m.group("cls")
        else:
            shared = len(value) >= settings.min_shared_chars or looks_like_path_or_uri(value)
        if inline:
            props["value"] = value
    elif kind is bool:
        props["value_type"] = "boolean"
        props["value"] = value
    elif kind is int:
        props["value_type"] = "integer"
        props["value"] = value if _INT64_MIN <= value <= _INT64_MAX else str(value)
    elif kind is float:
        props["value_type"] = "number"
        props["value"] = value
    elif value is None:
        props["value_type"] = "null"
    elif kind is not dict and kind is not list and kind is not tuple:
        # A stray object that did not come through the wire (e.g. a numpy scalar or an
        # arbitrary instance): map what the wire would have carried, its JSON form.
        return entity_node(orjson.loads(canonical), local_id, settings)
    else:
        props["value_type"] = "object" if kind is dict else "array"
        shared = size >= settings.min_shared_json_bytes
        if inline:
            props["value"] = canonical.decode()
    if shared:
        digest = _sha256(canonical).hexdigest()
        props["hash"] = digest
        return Node(CONTENT_ID_PREFIX + digest[:32], ENTITY_LABELS, props)
    if not inline:  # only when max_inline_bytes is below the sharing thresholds
        props["hash"] = _sha256(canonical).hexdigest()
    return Node(local_id, ENTITY_LABELS, props)


_PLAN_CACHE: dict[tuple[Any, ...], tuple[str, Props]] = {}
_PLAN_CACHE_MAX = 4096


def plan_node(code: Any, activity_id: Any) -> Node | None:
    """The ``Entity:Plan`` node of a task's code, or ``None`` when nothing names it.

    Id: ``plan:<module>:<qualname>`` plus ``@<source_hash>`` when the task's ``code`` field has
    a ``qualname``; else ``plan:<activity_id>`` when the task has an activity id. Stable: the
    same code gives the same plan in every run. Props: ``name`` and the scalar items of
    ``code`` (``module``, ``qualname``, ``source_hash``, ...). Returns a new node every call.
    """
    if type(code) is dict and code.get("qualname"):
        try:
            key: tuple[Any, ...] = tuple(code.items())
            cached = _PLAN_CACHE.get(key)
        except TypeError:  # unhashable item values: no caching
            key, cached = (), None
        if cached is None:
            cached = _plan_from_code(code)
            if key:
                if len(_PLAN_CACHE) >= _PLAN_CACHE_MAX:
                    _PLAN_CACHE.clear()
                _PLAN_CACHE[key] = cached
        return Node(cached[0], PLAN_LABELS, dict(cached[1]))
    if activity_id:
        name = str(activity_id)
        return Node(PLAN_ID_PREFIX + name, PLAN_LABELS, {"name": name})
    return None


def _plan_from_code(code: dict[str, Any]) -> tuple[str, Props]:
    module = str(code.get("module") or "")
    qualname = str(code["qualname"])
    source_hash = code.get("source_hash")
    name = f"{module}:{qualname}"
    if source_hash:
        name += f"@{source_hash}"
    node_id = bounded_id(PLAN_ID_PREFIX, name)
    props: Props = {}
    for key, item in code.items():
        if type(item) in (str, float, bool) or (
                type(item) is int and _INT64_MIN <= item <= _INT64_MAX):
            props[key] = item
    props["name"] = f"{module}.{qualname}" if module else qualname
    return node_id, props
