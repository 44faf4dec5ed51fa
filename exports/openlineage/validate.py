"""Is a dict an OpenLineage run event? Checked against the spec as ``openlineage-python`` holds it.

The ``openlineage-python`` wheel does not carry the spec's ``OpenLineage.json``: it carries
the classes the OpenLineage project generates from that JSON schema
(``openlineage.client.generated.base``: ``RunEvent``, ``Run``, ``Job``, ``InputDataset``,
``OutputDataset``, the ``EventType`` enum), with the schema's required properties as
required fields and its formats as validators (``eventTime`` a date-time, ``runId`` a
UUID). So the check is the schema as that package has it, never a copy: each object of
the event is built as its generated class (its fields read from the class, not listed
here), types are checked against the fields' declared types, and the first problem is
reported in one line naming where it is (``run.runId: ...``).

Facets are open in the spec (any name, any producer's own schema): each must be an object.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from provgraph.core.errors import CapabilityMissingError, MappingError

EXTRA = "provgraph[openlineage]"


class InvalidEvent(MappingError):
    """An event that is not a valid OpenLineage run event (the message: the first problem)."""


@functools.cache
def _model() -> dict[str, Any]:
    try:
        import attr
        from openlineage.client.generated import base
    except ImportError as exc:  # the optional extra is not installed
        raise CapabilityMissingError(
            f"OpenLineage events need the openlineage-python package: pip install '{EXTRA}'"
        ) from exc
    classes = {name: getattr(base, name) for name in (
        "RunEvent", "Run", "Job", "InputDataset", "OutputDataset")}
    return {"attr": attr, "classes": classes, "EventType": base.EventType}


def _where(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _build(cls: type, value: Any, path: str) -> Any:
    """An instance of the generated class ``cls`` from ``value`` (raises InvalidEvent)."""
    model = _model()
    attr, classes = model["attr"], model["classes"]
    if not isinstance(value, Mapping):
        raise InvalidEvent(f"{path or 'event'}: must be an object, got {type(value).__name__}")
    kwargs: dict[str, Any] = {}
    for field in attr.fields(cls):
        if not field.init:
            continue
        name = field.alias or field.name
        key = field.name  # the JSON property (``_producer`` of a facet, ``eventTime``...)
        where = _where(path, key)
        if key not in value or value[key] is None:
            if field.default is attr.NOTHING:
                raise InvalidEvent(f"{where}: required property missing")
            continue
        item = value[key]
        declared = str(field.type)
        base_type = declared.split("|")[0].strip()
        if base_type == "str":
            if not isinstance(item, str):
                raise InvalidEvent(f"{where}: must be a string, got {type(item).__name__}")
        elif base_type in classes:
            item = _build(classes[base_type], item, where)
        elif base_type.startswith("list["):
            inner = classes.get(base_type[5:-1])
            if not isinstance(item, list):
                raise InvalidEvent(f"{where}: must be an array, got {type(item).__name__}")
            if inner is not None:
                item = [_build(inner, x, f"{where}[{i}]") for i, x in enumerate(item)]
        elif base_type.startswith("dict["):
            if not isinstance(item, Mapping):
                raise InvalidEvent(f"{where}: must be an object, got {type(item).__name__}")
            for facet, body in item.items():
                if not isinstance(body, Mapping):
                    raise InvalidEvent(f"{where}.{facet}: a facet must be an object")
            item = {}  # facets are open: kept as they are by the caller
        elif base_type == "EventType":
            try:
                item = model["EventType"](item)
            except ValueError:
                allowed = ", ".join(e.value for e in model["EventType"])
                raise InvalidEvent(f"{where}: {item!r:.40} is not one of {allowed}") from None
        kwargs[name] = item
    try:
        return cls(**kwargs)
    except (ValueError, TypeError) as exc:  # the schema's formats (uuid, date-time)
        raise InvalidEvent(f"{path or 'event'}: {_first_line(exc)}") from None


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def validate_event(event: Any) -> Mapping[str, Any]:
    """``event`` itself when it is a valid OpenLineage run event; else InvalidEvent with the
    first problem in one line (dataset and job events are valid OpenLineage, but provgraph
    keeps runs: they are refused with that reason)."""
    if isinstance(event, Mapping) and "run" not in event:
        if "dataset" in event:
            raise InvalidEvent("a dataset event: provgraph takes run events (with 'run')")
        if "job" in event:
            raise InvalidEvent("a job event: provgraph takes run events (with 'run')")
    _build(_model()["classes"]["RunEvent"], event, "")
    return event
