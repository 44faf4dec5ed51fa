"""Declarative mapping tables: message field -> node property, and message field -> edge.

The mapping code (:mod:`prov_model.mapping`) is a small interpreter of these tables:

* ``TASK_PROPS`` / ``WORKFLOW_PROPS``: ``field -> ((property, fast type, converter), ...)``.
  A value of exactly the fast type is stored as is; otherwise the converter returns the
  property value, ``None`` to leave the property out, or raises :class:`InvalidField`.
  One field may feed several properties (e.g. ``telemetry_at_end`` ->
  ``telemetry_at_end_json`` and ``cpu_percent_end``).
* ``VALUE_FIELDS``: the ``used`` / ``generated`` dicts whose values become ``Entity`` nodes.
* ``TASK_LINKS`` / ``WORKFLOW_LINKS``: fields naming other nodes, with the edge they give.
* ``KINDS``: message ``type`` -> everything above for that kind.
* ``CONTROL_EVENTS``: the control messages that change a node (the end of a workflow run:
  its ``ended_at`` and ``status``); every other control message (flush markers) maps to
  nothing.

Fields in no table (and the ``extra`` dict) are kept, as JSON, in ``extra_json``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from prov_model.delta import PropValue
from prov_model.entities import to_json_text
from prov_model.keys import too_long, too_long_reason
from prov_model.vocab import (
    CAMPAIGN_LABELS,
    PERSON_LABELS,
    SOFTWARE_AGENT_LABELS,
    TASK_LABELS,
    USED,
    WAS_ASSOCIATED_WITH,
    WAS_GENERATED_BY,
    WAS_INFORMED_BY,
    WAS_PART_OF,
    WORKFLOW_LABELS,
)
from provgraph.core import wire

# A task's used values that are the very objects earlier tasks generated (capture's
# lineage by identity): ``{role: [producer_task_id, producer_role]}``.
USED_FROM = "used_from"


class InvalidField(ValueError):
    """A message field has the wrong type; the message says how (mapping adds which field)."""


Converter = Callable[[Any], PropValue | None]
# (property, fast type, converter): a value whose type *is* the fast type is stored as is
# without calling the converter (the common case, and the hot path); any other value goes
# through the converter, which normalizes it, returns None (no property) or raises.
Rule = tuple[str, type | None, Converter]
Rules = tuple[Rule, ...]

_NUMBER = (int, float)
_INT64_MIN = -(2**63)
_INT64_MAX = 2**63 - 1
_TEXTLIKE = (str, int, float)


def _kind(value: Any) -> str:
    return type(value).__name__


# --- converters ----------------------------------------------------------------------------


def as_id(value: Any) -> str:
    """A node id: a non-empty string an index can hold (:mod:`prov_model.keys`)."""
    if isinstance(value, str) and value:
        text = value if type(value) is str else str(value)  # StrEnum and other subclasses
        if too_long(text):
            raise InvalidField(too_long_reason(text))
        return text
    raise InvalidField(f"must be a non-empty string id, got {_kind(value)} {value!r:.60}")


def as_text(value: Any) -> str:
    """Free text: a string (numbers are turned into their text)."""
    if type(value) is str:
        return value
    if isinstance(value, _TEXTLIKE) and not isinstance(value, bool):
        return str(value)
    raise InvalidField(f"must be a string, got {_kind(value)}")


def as_status(value: Any) -> str:
    """A status name (``Status`` members are strings)."""
    if isinstance(value, str):
        return str(value) if type(value) is not str else value
    raise InvalidField(f"must be a status string, got {_kind(value)}")


def storable_number(value: Any) -> bool:
    """A number a property can hold: a float, or an int of 64 bits (Neo4j's integer)."""
    if isinstance(value, bool) or not isinstance(value, _NUMBER):
        return False
    return not isinstance(value, int) or _INT64_MIN <= value <= _INT64_MAX


def as_time(value: Any) -> int | float:
    """A timestamp in epoch seconds."""
    if storable_number(value):
        return value  # type: ignore[no-any-return]
    if isinstance(value, int) and not isinstance(value, bool):
        raise InvalidField("must be a number (epoch seconds) of at most 64 bits, got an int "
                           f"of {value.bit_length()} bits")
    raise InvalidField(f"must be a number (epoch seconds), got {_kind(value)} {value!r:.60}")


def as_str_list(value: Any) -> list[str | int | float | bool]:
    """A list of strings (a single string is a one-item list; Flowcept allows it for tags)."""
    if type(value) is str:
        return [value]
    if not isinstance(value, list):
        raise InvalidField(f"must be a list of strings, got {_kind(value)}")
    out: list[str | int | float | bool] = []
    for item in value:
        out.append(as_text(item))
    return out


def as_id_list(value: Any) -> list[str | int | float | bool]:
    """A list of node ids."""
    if not isinstance(value, list):
        raise InvalidField(f"must be a list of ids, got {_kind(value)}")
    return [as_id(item) for item in value]


def as_json(value: Any) -> str:
    """Any value, as JSON text."""
    return to_json_text(value)


def as_json_dict(value: Any) -> str:
    """A dict, as JSON text."""
    if not isinstance(value, dict):
        raise InvalidField(f"must be a dict, got {_kind(value)}")
    return to_json_text(value)


def text_only(value: Any) -> str | None:
    """The value when it is a string, else nothing (see :func:`json_unless_text`)."""
    return value if isinstance(value, str) else None


def json_unless_text(value: Any) -> str | None:
    """JSON text of a value that is not a string, else nothing."""
    return None if isinstance(value, str) else to_json_text(value)


def number_at(*paths: tuple[str, ...]) -> Converter:
    """Converter picking the first number found at one of ``paths`` in a nested dict."""

    def pick(value: Any) -> float | int | None:
        if not isinstance(value, dict):
            return None  # the *_json rule of the same field reports the type error
        for path in paths:
            node: Any = value
            for part in path:
                node = node.get(part) if isinstance(node, dict) else None
            if storable_number(node):
                return node  # type: ignore[no-any-return]
        return None

    return pick


def text_at(key: str) -> Converter:
    """Converter picking the string at ``key`` of a dict."""

    def pick(value: Any) -> str | None:
        found = value.get(key) if isinstance(value, dict) else None
        return found if isinstance(found, str) else None

    return pick


# Flowcept telemetry: cpu.percent_all, memory.virtual.percent (flat variants accepted too).
cpu_percent = number_at(("cpu", "percent_all"), ("cpu", "percent"), ("cpu_percent",))
memory_percent = number_at(
    ("memory", "virtual", "percent"), ("memory", "percent"), ("mem_percent",)
)


# --- property tables -----------------------------------------------------------------------

_TEXT_FIELDS_COMMON = (
    "subtype",
    "adapter_id",
    "user",
    "login_name",
    "hostname",
    "node_name",
    "private_ip",
    "public_ip",
    "environment_id",
    "agent_id",
)
_TIME_FIELDS_COMMON = ("started_at", "ended_at", "utc_timestamp")


def _same(fields: tuple[str, ...], fast: type | None, conv: Converter) -> dict[str, Rules]:
    return {name: ((name, fast, conv),) for name in fields}


def _json(fields: tuple[str, ...]) -> dict[str, Rules]:
    return {name: ((f"{name}_json", None, as_json_dict),) for name in fields}


TASK_PROPS: dict[str, Rules] = {
    **_same(("workflow_id", "campaign_id", "parent_task_id"), None, as_id),
    **_same(
        (*_TEXT_FIELDS_COMMON, "workflow_name", "activity_id", "group_id", "source_agent_id",
         "address", "mq_host"),
        str,
        as_text,
    ),
    **_same((*_TIME_FIELDS_COMMON, "submitted_at", "registered_at"), float, as_time),
    **_same(("dependencies", "dependents"), None, as_id_list),
    **_json(("used", "generated", "custom_metadata", "code")),  # code: also the Plan node
    "status": (("status", str, as_status),),
    "tags": (("tags", None, as_str_list),),
    "data": (("data_json", None, as_json),),
    # Raw bytes never reach the graph: their hash, size and media type do (wire.data_ref).
    wire.DATA_REF: (
        ("data_ref_json", None, as_json_dict),
        ("data_sha256", None, text_at("sha256")),
        ("data_size_bytes", None, number_at(("size_bytes",))),
        ("data_media_type", None, text_at("media_type")),
    ),
    "stdout": (("stdout", str, text_only), ("stdout_json", None, json_unless_text)),
    "stderr": (("stderr", str, text_only), ("stderr_json", None, json_unless_text)),
    "telemetry_at_start": (
        ("telemetry_at_start_json", None, as_json_dict),
        ("cpu_percent_start", None, cpu_percent),
        ("memory_percent_start", None, memory_percent),
    ),
    "telemetry_at_end": (
        ("telemetry_at_end_json", None, as_json_dict),
        ("cpu_percent_end", None, cpu_percent),
        ("memory_percent_end", None, memory_percent),
    ),
}

WORKFLOW_PROPS: dict[str, Rules] = {
    **_same(("campaign_id", "parent_workflow_id"), None, as_id),
    **_same(
        (*_TEXT_FIELDS_COMMON, "name", "flowcept_version", "sys_name", "extra_metadata"),
        str,
        as_text,
    ),
    **_same(_TIME_FIELDS_COMMON, float, as_time),
    **_json(
        ("used", "generated", "machine_info", "conf", "flowcept_settings", "code_repository",
         "custom_metadata")
    ),
    "status": (("status", str, as_status),),
    "stderr": (("stderr", str, text_only), ("stderr_json", None, json_unless_text)),
    "interceptor_ids": (("interceptor_ids", None, as_str_list),),
}


# --- value tables --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ValueField:
    """A dict field whose values become entities, linked by ``edge`` with ``role`` = the key."""

    field: str
    edge: str
    id_segment: str  # trivial entity id: <activity_id>/<id_segment>/<role>
    time_prop: str  # the activity property giving the edge's ``time``
    entity_is_src: bool  # WAS_GENERATED_BY goes entity -> activity


VALUE_FIELDS: tuple[ValueField, ...] = (
    ValueField("used", USED, "used", "started_at", entity_is_src=False),
    ValueField("generated", WAS_GENERATED_BY, "generated", "ended_at", entity_is_src=True),
)


# --- link tables ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Link:
    """A field naming another node: that node (a stub when only its id is known) and an edge.

    The edge goes from the message's own node to the target (``reverse``: target to own
    node). ``src_field`` starts it at the node that field names instead (``src_labels``), and
    is skipped when that field is absent; the target node is still emitted. ``unless``: skip
    when that field is set. ``many``: the field holds a list of ids. ``id_prefix``: target id
    = prefix + value, with ``{"name": value}`` as target props when ``named``. ``with_plan``:
    the edge gets ``{"plan": <plan id>}`` when the activity has a plan.
    """

    field: str
    edge: str
    target: tuple[str, ...]
    many: bool = False
    reverse: bool = False
    unless: str | None = None
    src_field: str | None = None
    src_labels: tuple[str, ...] = ()
    id_prefix: str = ""
    named: bool = False
    with_plan: bool = False
    props: dict[str, PropValue] = dataclasses.field(default_factory=dict)


PERSON_ID_PREFIX = "person:"
SOFTWARE_AGENT_ID_PREFIX = "agent:"

_AGENT_LINKS: tuple[Link, ...] = (
    Link("user", WAS_ASSOCIATED_WITH, PERSON_LABELS, id_prefix=PERSON_ID_PREFIX, named=True,
         with_plan=True),
    Link("login_name", WAS_ASSOCIATED_WITH, PERSON_LABELS, unless="user",
         id_prefix=PERSON_ID_PREFIX, named=True, with_plan=True),
    Link("agent_id", WAS_ASSOCIATED_WITH, SOFTWARE_AGENT_LABELS,
         id_prefix=SOFTWARE_AGENT_ID_PREFIX, named=True, with_plan=True),
)

TASK_LINKS: tuple[Link, ...] = (
    Link("parent_task_id", WAS_PART_OF, TASK_LABELS),
    Link("workflow_id", WAS_PART_OF, WORKFLOW_LABELS, unless="parent_task_id"),
    Link("campaign_id", WAS_PART_OF, CAMPAIGN_LABELS, src_field="workflow_id",
         src_labels=WORKFLOW_LABELS),
    Link("dependencies", WAS_INFORMED_BY, TASK_LABELS, many=True, props={"declared": True}),
    Link("dependents", WAS_INFORMED_BY, TASK_LABELS, many=True, reverse=True,
         props={"declared": True}),
    *_AGENT_LINKS,
)

WORKFLOW_LINKS: tuple[Link, ...] = (
    Link("parent_workflow_id", WAS_PART_OF, WORKFLOW_LABELS),
    Link("campaign_id", WAS_PART_OF, CAMPAIGN_LABELS),
    *_AGENT_LINKS,
)


# --- message kinds -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Kind:
    """Everything the mapping needs for one message ``type``."""

    name: str
    id_field: str
    labels: tuple[str, ...]
    props: dict[str, Rules]
    links: tuple[Link, ...]
    has_plan: bool
    skip: frozenset[str]  # fields handled elsewhere (not copied to extra_json)
    # Properties that are indexed or become node ids: each must fit an index key.
    keys: tuple[str, ...] = ()
    # Derived from ``props``: field -> fast type, for fields with one same-name rule.
    fast: dict[str, type] = dataclasses.field(init=False)

    def __post_init__(self) -> None:
        fast = {
            name: rules[0][1]
            for name, rules in self.props.items()
            if len(rules) == 1 and rules[0][0] == name and rules[0][1] is not None
        }
        object.__setattr__(self, "fast", fast)


# Indexed (cypher/schema) or the name of another node (person:<user>, agent:<agent_id>).
_AGENT_KEYS = ("user", "login_name", "agent_id")
TASK_KEYS = ("activity_id", "status", *_AGENT_KEYS)
WORKFLOW_KEYS = ("name", "status", *_AGENT_KEYS)

KINDS: dict[str, Kind] = {
    wire.TASK: Kind(wire.TASK, "task_id", TASK_LABELS, TASK_PROPS, TASK_LINKS, True,
                    frozenset({wire.TYPE, "task_id", "extra", USED_FROM}), TASK_KEYS),
    wire.WORKFLOW: Kind(wire.WORKFLOW, "workflow_id", WORKFLOW_LABELS, WORKFLOW_PROPS,
                        WORKFLOW_LINKS, False, frozenset({wire.TYPE, "workflow_id", "extra"}),
                        WORKFLOW_KEYS),
}

IGNORED_KINDS: frozenset[str] = frozenset({wire.CONTROL})  # the keeper handles those


@dataclass(frozen=True, slots=True)
class ControlEvent:
    """A control message that updates one node: the node ``id_field`` names, with the
    ``props`` rules applied to the message's fields (other fields are ignored)."""

    event: str
    id_field: str
    labels: tuple[str, ...]
    props: dict[str, Rules]


CONTROL_EVENTS: dict[str, ControlEvent] = {
    wire.WORKFLOW_END: ControlEvent(
        wire.WORKFLOW_END, "workflow_id", WORKFLOW_LABELS,
        # The end of a run that sent no workflow message (``@flowcept``) also names it.
        {key: WORKFLOW_PROPS[key] for key in (
            "ended_at", "status", "stderr", "name", "started_at", "hostname", "user",
            "machine_info", "flowcept_version")},
    ),
}
