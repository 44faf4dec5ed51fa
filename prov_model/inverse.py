"""The way back: a stored Task or Workflow node as a Flowcept task or workflow dict.

Read from the same tables the mapping uses (``prov_model.tables``): for every message
field, its first rule names the property that holds it (``*_json`` properties are decoded);
further rules of a field are derived query helpers (``cpu_percent_end``) and are not
fields. ``extra_json`` gives back the fields no table knows.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from prov_model.tables import KINDS, Kind
from prov_model.vocab import TASK, WORKFLOW

# property -> (message field, is JSON text), per kind; built once from the tables.
_FIELD_OF: dict[str, dict[str, tuple[str, bool]]] = {}


def _fields_of(kind: Kind) -> dict[str, tuple[str, bool]]:
    cached = _FIELD_OF.get(kind.name)
    if cached is None:
        cached = {}
        for field, rules in kind.props.items():
            for prop, _fast, _convert in rules:
                json_text = prop.endswith("_json")
                if prop == field or (json_text and prop[: -len("_json")] == field):
                    cached[prop] = (field, json_text)
        _FIELD_OF[kind.name] = cached
    return cached


def _loads(text: Any) -> Any:
    if not isinstance(text, str | bytes):
        return text
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return text


def node_to_message(node_id: str, labels: list[str] | tuple[str, ...],
                    props: Mapping[str, Any]) -> dict[str, Any] | None:
    """The task or workflow dict of a stored node; ``None`` for other nodes."""
    if TASK in labels:
        kind = KINDS["task"]
    elif WORKFLOW in labels:
        kind = KINDS["workflow"]
    else:
        return None
    fields = _fields_of(kind)
    message: dict[str, Any] = {"type": kind.name, kind.id_field: node_id}
    for prop, value in props.items():
        known = fields.get(prop)
        if known is not None:
            field, json_text = known
            message[field] = _loads(value) if json_text else value
        elif prop == "extra_json":
            extra = _loads(value)
            if isinstance(extra, dict):
                for key, item in extra.items():
                    message.setdefault(key, item)
    return message
