"""OpenLineage run events -> PROV nodes and edges (docs/prov.md, "OpenLineage in and out").

The tables below say it field by field; :func:`map_event_into` is their interpreter.

* a **run** is an activity, ``(:Activity:Task {id: runId})``: the event becomes a
  capture-shaped task message (:func:`run_message`: ``activity_id`` = job name, ``code`` =
  the job, so the job is its ``Entity:Plan``, ``workflow_id`` = the parent run, status and
  times from :data:`EVENT_TYPES`) mapped by the capture tables, so out-of-order events of
  one run merge by the capture merge rule (a terminal status is never undone; later
  non-null fields win) and the same event twice gives the same delta;
* a **parent run** (the ``parent`` run facet) is the workflow the run is part of
  (``WAS_PART_OF``), named by the parent's job;
* a **dataset** is an entity whose id is the content id of its URI (:func:`dataset_uri`):
  the id the capture mapping gives the same path or URI used by a ``@flowcept_task``, so
  both worlds meet on one node; ``USED`` (inputs) and ``WAS_GENERATED_BY`` (outputs) with
  the URI as ``role``;
* **facets** are kept as properties named after them (:data:`RUN_FACET_PROPS`,
  ``ol_run_facet_<name>_json`` and the rest), whole, as JSON text; a few give flat
  properties too (the error message's ``stderr``, the nominal times).

Datasets are written on creation only (like every shared entity), so the facets of a
dataset as each run saw it are also kept on the run, whole (``ol_inputs_json``,
``ol_outputs_json``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from prov_model.config import EntitySettings
from prov_model.delta import DeltaBuilder, Node, Props, PropValue
from prov_model.entities import canonical_json, content_id, to_json_text
from prov_model.keys import too_long
from prov_model.vocab import ENTITY_LABELS, TASK_LABELS, USED, WAS_GENERATED_BY
from provgraph.core import wire
from provgraph.core.errors import MappingError

SUBTYPE: Final = "openlineage_run"  # a run's ``subtype``: where its task came from
PRODUCER_PROP: Final = "ol_producer"


# --- the event type table --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EventType:
    """What one ``eventType`` says of its run: a provgraph status (``None``: none) and the
    property its ``eventTime`` sets (``None``: none)."""

    status: str | None
    time_prop: str | None


EVENT_TYPES: Final[dict[str, EventType]] = {
    "START": EventType(wire.RUNNING, "started_at"),
    "RUNNING": EventType(wire.RUNNING, None),
    "COMPLETE": EventType(wire.FINISHED, "ended_at"),
    "FAIL": EventType(wire.ERROR, "ended_at"),
    # An aborted run ended and did not finish: ERROR, the event type kept in ol_event_type.
    "ABORT": EventType(wire.ERROR, "ended_at"),
    "OTHER": EventType(None, None),
}


# --- converters ------------------------------------------------------------------------------


def iso_time(value: Any) -> float:
    """An ISO 8601 date-time (``Z`` or an offset; none is read as UTC) in epoch seconds."""
    if not isinstance(value, str) or not value:
        raise MappingError(f"a time must be an ISO 8601 string, got {type(value).__name__}")
    text = value.strip()
    if text.endswith(("z", "Z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise MappingError(f"not an ISO 8601 date-time: {value!r:.60}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


def _error_text(facet: Any) -> str | None:
    if not isinstance(facet, Mapping) or not isinstance(facet.get("message"), str):
        return None
    trace = facet.get("stackTrace")
    return f"{facet['message']}\n{trace}" if isinstance(trace, str) and trace else facet[
        "message"]


def _time_at(key: str) -> Callable[[Any], PropValue | None]:
    def pick(facet: Any) -> PropValue | None:
        value = facet.get(key) if isinstance(facet, Mapping) else None
        return iso_time(value) if value else None

    return pick


def _language(facet: Any) -> PropValue | None:
    value = facet.get("programmingLanguage") if isinstance(facet, Mapping) else None
    return value if isinstance(value, str) else None


def _schema_fields(facet: Any) -> PropValue | None:
    fields = facet.get("fields") if isinstance(facet, Mapping) else None
    if not isinstance(fields, list):
        return None
    names = [f["name"] for f in fields if isinstance(f, Mapping) and isinstance(f.get("name"),
                                                                                 str)]
    return list(names) if names else None


# --- facet tables ------------------------------------------------------------------------------

FacetRule = tuple[str, Callable[[Any], PropValue | None]]

# Every facet is kept whole as ``<prefix><facet name>_json``; these also give flat props.
RUN_FACET_PROPS: Final[dict[str, tuple[FacetRule, ...]]] = {
    "errorMessage": (("stderr", _error_text), ("error_language", _language)),
    "nominalTime": (("nominal_start_at", _time_at("nominalStartTime")),
                    ("nominal_end_at", _time_at("nominalEndTime"))),
}
DATASET_FACET_PROPS: Final[dict[str, tuple[FacetRule, ...]]] = {
    "schema": (("ol_schema_fields", _schema_fields),),
}
RUN_FACET_PREFIX: Final = "ol_run_facet_"
JOB_FACET_PREFIX: Final = "ol_job_facet_"
DATASET_FACET_PREFIX: Final = "ol_facet_"
INPUT_FACET_PREFIX: Final = "ol_input_facet_"
OUTPUT_FACET_PREFIX: Final = "ol_output_facet_"


@dataclass(frozen=True, slots=True)
class DatasetSide:
    """One list of datasets of an event: the edge it gives and where its facets go."""

    field: str  # "inputs" / "outputs"
    edge: str
    entity_is_src: bool  # WAS_GENERATED_BY goes entity -> activity
    facets_field: str  # inputFacets / outputFacets: facets of this run's use of it
    facets_prefix: str
    run_prop: str  # the run's copy of the list, whole


DATASET_SIDES: Final = (
    DatasetSide("inputs", USED, False, "inputFacets", INPUT_FACET_PREFIX, "ol_inputs_json"),
    DatasetSide("outputs", WAS_GENERATED_BY, True, "outputFacets", OUTPUT_FACET_PREFIX,
                "ol_outputs_json"),
)

# Schemes whose datasets are local files: their entity is the path itself, as a captured
# ``open(path)`` or ``@flowcept_task(path)`` argument names it.
FILE_NAMESPACES: Final = ("file",)
_PATH_PREFIXES: Final = ("/", "./", "../", "~/")
# provgraph's own run facet (written by the OpenLineage export): the task and workflow ids
# the run had, so an export read back names the same nodes (a runId must be a UUID).
PROVGRAPH_FACET: Final = "provgraph"


# --- identities ----------------------------------------------------------------------------


def dataset_uri(namespace: str, name: str) -> str:
    """The URI of a dataset: ``namespace/name`` (one slash between), or the absolute path
    for a local file (namespace ``file`` or ``file://<host>``).

    >>> dataset_uri("s3://bucket", "raw.csv"), dataset_uri("file", "/data/out.csv")
    ('s3://bucket/raw.csv', '/data/out.csv')
    >>> dataset_uri("postgres://db:5432", "shop.public.orders")
    'postgres://db:5432/shop.public.orders'
    """
    scheme = namespace.split("://", 1)[0]
    if scheme in FILE_NAMESPACES and name.startswith(_PATH_PREFIXES):
        return name
    return f"{namespace.rstrip('/')}/{name.lstrip('/')}"


def split_uri(value: str) -> tuple[str, str]:
    """``(namespace, name)`` of a path or URI, the inverse of :func:`dataset_uri`.

    >>> split_uri("s3://bucket/raw.csv"), split_uri("/data/out.csv")
    (('s3://bucket', 'raw.csv'), ('file', '/data/out.csv'))
    """
    if value.startswith(_PATH_PREFIXES) or "://" not in value:
        return "file", value
    scheme, rest = value.split("://", 1)
    authority, slash, path = rest.partition("/")
    if not slash or not path:
        return scheme, rest
    return f"{scheme}://{authority}", path


def dataset_node(uri: str, settings: EntitySettings) -> Node:
    """The shared entity of a dataset URI: the capture mapping's id for the same string,
    shared whatever its length (a short ``hive/t`` is still one dataset everywhere)."""
    canonical = canonical_json(uri)
    props: Props = {"value_type": "string", "size_bytes": len(canonical),
                    "hash": hashlib.sha256(canonical).hexdigest()}
    if len(canonical) <= settings.max_inline_bytes:
        props["value"] = uri
    return Node(content_id(canonical), ENTITY_LABELS, props)


# --- the interpreter ---------------------------------------------------------------------------


def _obj(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise MappingError(f"OpenLineage event: '{where}' must be an object, got "
                           f"{type(value).__name__}")
    return value


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise MappingError(f"OpenLineage event: '{where}' must be a non-empty string")
    if too_long(value):
        raise MappingError(f"OpenLineage event: '{where}' is too long for an index key")
    return value


def _facets(facets: Any, prefix: str, table: Mapping[str, tuple[FacetRule, ...]],
            props: Props) -> None:
    if not isinstance(facets, Mapping):
        return
    for name, facet in facets.items():
        props[f"{prefix}{name}_json"] = to_json_text(facet)
        for prop, convert in table.get(name, ()):
            out = convert(facet)
            if out is not None:
                props[prop] = out


def run_message(event: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The capture-shaped task message of the event's run, and the workflow message of its
    parent run (``None`` without a ``parent`` facet)."""
    run = _obj(event.get("run"), "run")
    job = _obj(event.get("job"), "job")
    run_id = _text(run.get("runId"), "run.runId")
    facets = run.get("facets")
    own = facets.get(PROVGRAPH_FACET) if isinstance(facets, Mapping) else None
    if isinstance(own, Mapping) and isinstance(own.get("taskId"), str) and own["taskId"]:
        run_id = _text(own["taskId"], "run.facets.provgraph.taskId")
    namespace = _text(job.get("namespace"), "job.namespace")
    name = _text(job.get("name"), "job.name")
    event_type = event.get("eventType") or "OTHER"
    kind = EVENT_TYPES.get(event_type) if isinstance(event_type, str) else None
    if kind is None:
        raise MappingError(f"OpenLineage event: unknown eventType {event_type!r:.40} "
                           f"(expected {', '.join(EVENT_TYPES)})")
    task: dict[str, Any] = {
        wire.TYPE: wire.TASK, "task_id": run_id, "activity_id": name, "subtype": SUBTYPE,
        "code": {"module": namespace, "qualname": name},
    }
    if kind.status is not None:
        task["status"] = kind.status
    if kind.time_prop is not None:
        task[kind.time_prop] = iso_time(event.get("eventTime"))
    parent = facets.get("parent") if isinstance(facets, Mapping) else None
    workflow: dict[str, Any] | None = None
    if isinstance(parent, Mapping):
        parent_run = _obj(parent.get("run"), "run.facets.parent.run")
        parent_id = _text(parent_run.get("runId"), "run.facets.parent.run.runId")
        if isinstance(own, Mapping) and isinstance(own.get("workflowId"), str) and own[
                "workflowId"]:
            parent_id = _text(own["workflowId"], "run.facets.provgraph.workflowId")
        if parent_id != run_id:
            task["workflow_id"] = parent_id
            workflow = {wire.TYPE: wire.WORKFLOW, "workflow_id": parent_id,
                        "subtype": SUBTYPE}
            parent_job = parent.get("job")
            if isinstance(parent_job, Mapping) and isinstance(parent_job.get("name"), str):
                workflow["name"] = parent_job["name"]
    return task, workflow


def run_props(event: Mapping[str, Any]) -> Props:
    """The run's properties beyond the capture table's: event type, producer, facets."""
    props: Props = {}
    if isinstance(event.get("eventType"), str):
        props["ol_event_type"] = event["eventType"]
    if isinstance(event.get("producer"), str):
        props[PRODUCER_PROP] = event["producer"]
    run, job = event["run"], event["job"]
    props["ol_job_namespace"] = job["namespace"]
    _facets(run.get("facets"), RUN_FACET_PREFIX, RUN_FACET_PROPS, props)
    _facets(job.get("facets"), JOB_FACET_PREFIX, {}, props)
    for side in DATASET_SIDES:
        datasets = event.get(side.field)
        if datasets:
            props[side.run_prop] = to_json_text(datasets)
    return props


def map_event_into(event: Any, builder: DeltaBuilder, settings: EntitySettings,
                   map_message: Callable[[Mapping[str, Any]], None]) -> None:
    """Add the nodes and edges of one run event to ``builder``; ``map_message`` maps a
    capture-shaped message (the capture tables' interpreter). Raises MappingError."""
    event = _obj(event, "event")
    task, workflow = run_message(event)
    extra = run_props(event)
    datasets: list[tuple[DatasetSide, Node, str]] = []
    for side in DATASET_SIDES:
        items = event.get(side.field) or []
        if not isinstance(items, list):
            raise MappingError(f"OpenLineage event: '{side.field}' must be a list")
        for index, item in enumerate(items):
            where = f"{side.field}[{index}]"
            item = _obj(item, where)
            uri = dataset_uri(_text(item.get("namespace"), f"{where}.namespace"),
                              _text(item.get("name"), f"{where}.name"))
            node = dataset_node(uri, settings)
            node.props["ol_namespace"] = item["namespace"]
            node.props["ol_name"] = item["name"]
            _facets(item.get("facets"), DATASET_FACET_PREFIX, DATASET_FACET_PROPS, node.props)
            _facets(item.get(side.facets_field), side.facets_prefix, {}, node.props)
            datasets.append((side, node, uri))
    # Everything is checked: from here nothing raises, so a bad event adds nothing.
    map_message(task)
    if workflow is not None:
        map_message(workflow)
    run_id = task["task_id"]
    builder.node(run_id, TASK_LABELS, extra)
    for side, node, uri in datasets:
        builder.add_node(node)
        time = task.get("started_at" if side.field == "inputs" else "ended_at")
        edge_props: Props = {"role": uri} if time is None else {"role": uri, "time": time}
        if side.entity_is_src:
            builder.edge(side.edge, node.id, run_id, edge_props, uri)
        else:
            builder.edge(side.edge, run_id, node.id, edge_props, uri)
