"""Capture messages (plain dicts) -> PROV nodes and edges (docs/architecture.md, "The PROV graph").

    >>> from prov_model import map_message
    >>> delta = map_message({"type": "task", "task_id": "t1", "workflow_id": "w1",
    ...                      "used": {"x": 3}, "status": "FINISHED"})
    >>> sorted(n.id for n in delta.nodes)
    ['t1', 't1/used/x', 'w1']
    >>> [(e.type, e.src, e.dst) for e in delta.edges]
    [('USED', 't1', 't1/used/x'), ('WAS_PART_OF', 't1', 'w1')]

What a message gives (the tables in :mod:`prov_model.tables` say it field by field):

* ``task`` -> ``(:Activity:Task {id: task_id})`` with flat and ``*_json`` props; an
  ``Entity`` per ``used``/``generated`` value with ``USED {role, time}`` /
  ``WAS_GENERATED_BY {role, time}``; an ``Entity:Plan`` from ``code`` (or ``activity_id``),
  its id in the task's ``plan_id`` (``code`` is also kept as ``code_json`` for round trips);
  ``WAS_ASSOCIATED_WITH {plan}`` to ``Agent:Person`` (``user``, else ``login_name``) and
  ``Agent:SoftwareAgent`` (``agent_id``);
  ``WAS_PART_OF`` to the parent task, else to the workflow; ``WAS_PART_OF`` workflow ->
  campaign; ``WAS_INFORMED_BY {declared: true}`` to each of ``dependencies`` (and from each
  of ``dependents``).
* ``workflow`` -> ``(:Activity:Workflow {id: workflow_id})``, its values and agents the same
  way, ``WAS_PART_OF`` to the parent workflow and to the campaign.
* ``openlineage`` -> the run, its job, parent run and datasets of one OpenLineage run
  event (:mod:`prov_model.openlineage`, through the task table above).
* ``control`` -> the node update of a :data:`~prov_model.tables.CONTROL_EVENTS` entry
  (``workflow_end``: the workflow's ``ended_at``, ``status`` and ``stderr``), else nothing
  (flush markers: the keeper handles those).

Every edge endpoint is among the delta's nodes: a node known only by id (the workflow of a
task, a dependency, a parent) is emitted as a *stub* with empty props, which writes as a
no-op MERGE when the node exists and as a placeholder otherwise.

Value-flow ``WAS_INFORMED_BY`` (t2 used what t1 generated) needs the stored graph, so the
stores derive it after writing (see :mod:`prov_model.derive`).

Bad input raises :class:`provgraph.core.errors.MappingError` naming the message and field.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from prov_model.config import EntitySettings
from prov_model.delta import DeltaBuilder, GraphDelta, Node, Props
from prov_model.entities import entity_node, plan_node, to_json_text
from prov_model.keys import bounded_id, too_long, too_long_reason
from prov_model.openlineage import map_event_into
from prov_model.tables import (
    CONTROL_EVENTS,
    IGNORED_KINDS,
    KINDS,
    USED_FROM,
    VALUE_FIELDS,
    ControlEvent,
    InvalidField,
    Kind,
)
from provgraph.core import wire
from provgraph.core.errors import MappingError

DEFAULT_SETTINGS = EntitySettings()

ErrorHandler = Callable[[int, Any, MappingError], None]


def map_message(msg: Mapping[str, Any], settings: EntitySettings | None = None) -> GraphDelta:
    """The nodes and edges of one message (nodes and edges de-duplicated)."""
    builder = DeltaBuilder()
    map_into(msg, builder, settings or DEFAULT_SETTINGS)
    return builder.build()


def map_batch(
    messages: Iterable[Mapping[str, Any]],
    settings: EntitySettings | None = None,
    on_error: ErrorHandler | None = None,
) -> GraphDelta:
    """The nodes and edges of a batch: the concatenation, de-duplicated.

    A node appearing in several messages appears once, its props merged in message order
    with :func:`prov_model.merge.merge_task_props`. Without ``on_error`` the first bad
    message raises :class:`MappingError`; with it, ``on_error(index, message, error)`` is
    called and the message contributes nothing (nodes of a bad message are never half added).
    """
    builder = DeltaBuilder()
    entity_settings = settings or DEFAULT_SETTINGS
    for index, msg in enumerate(messages):
        if on_error is None:
            map_into(msg, builder, entity_settings)
            continue
        scratch = DeltaBuilder()
        try:
            map_into(msg, scratch, entity_settings)
        except MappingError as exc:
            on_error(index, msg, exc)
            continue
        builder.extend(scratch.build())
    return builder.build()


def map_into(msg: Mapping[str, Any], builder: DeltaBuilder, settings: EntitySettings) -> None:
    """Add the nodes and edges of ``msg`` to ``builder`` (raises MappingError, adding nothing)."""
    if not isinstance(msg, Mapping):
        raise MappingError(f"message must be a dict, got {type(msg).__name__}")
    kind_name = msg.get("type")
    kind = KINDS.get(kind_name) if isinstance(kind_name, str) else None
    if kind is None:
        if kind_name == wire.OPENLINEAGE:
            map_event_into(msg.get("event"), builder, settings,
                           lambda inner: map_into(inner, builder, settings))
            return
        if isinstance(kind_name, str) and kind_name in IGNORED_KINDS:
            event_name = msg.get("event")
            event = CONTROL_EVENTS.get(event_name) if isinstance(event_name, str) else None
            if event is not None:
                _control(msg, event, builder)
            return
        if kind_name is None:
            raise MappingError("message has no 'type' (expected task, workflow or control)")
        raise MappingError(
            f"unknown message type {kind_name!r:.60} "
            "(expected task, workflow, control or openlineage)"
        )
    own_id = msg.get(kind.id_field)
    if type(own_id) is not str or not own_id:
        if isinstance(own_id, str) and own_id:
            own_id = str(own_id)
        else:
            raise MappingError(
                f"{kind.name} message without a valid '{kind.id_field}' "
                f"(got {type(own_id).__name__} {own_id!r:.60})"
            )
    if too_long(own_id):
        raise MappingError(f"{kind.name} {own_id!r:.60}: field '{kind.id_field}' "
                           f"{too_long_reason(own_id)}")
    props = _props(msg, kind, own_id)  # validates every field: nothing below raises
    plan = plan_node(msg.get("code"), msg.get("activity_id")) if kind.has_plan else None
    if plan is not None:
        props["plan_id"] = plan.id
        builder.add_node(plan)
    builder.add_node(Node(own_id, kind.labels, props))
    _values(msg, kind, own_id, props, settings, builder)
    _links(msg, kind, own_id, plan, builder)


def _control(msg: Mapping[str, Any], event: ControlEvent, builder: DeltaBuilder) -> None:
    """The node update a control event gives (only the fields its rules name)."""
    own_id = msg.get(event.id_field)
    if not isinstance(own_id, str) or not own_id:
        raise MappingError(
            f"control {event.event!r} without a valid '{event.id_field}' "
            f"(got {type(own_id).__name__} {own_id!r:.60})"
        )
    if too_long(own_id):
        raise MappingError(f"control {event.event!r} {own_id!r:.60}: field "
                           f"'{event.id_field}' {too_long_reason(own_id)}")
    props: dict[str, Any] = {}
    for key, rules in event.props.items():
        value = msg.get(key)
        if value is None:
            continue
        try:
            for prop, fast, convert in rules:
                out = value if fast is type(value) else convert(value)
                if out is not None:
                    props[prop] = out
        except InvalidField as exc:
            raise MappingError(
                f"control {event.event!r} {own_id!r:.60}: field '{key}' {exc}") from None
    builder.add_node(Node(str(own_id), event.labels, props))


def _props(msg: Mapping[str, Any], kind: Kind, own_id: str) -> Props:
    """Flat and ``*_json`` properties of the message's own node, from the kind's table."""
    table = kind.props
    skip = kind.skip
    fast_type = kind.fast.get
    # Hot path in one comprehension: same-name fields whose value has exactly the fast type.
    props: dict[str, Any] = {k: v for k, v in msg.items() if fast_type(k) is type(v)}
    extra: dict[str, Any] | None = None
    key = ""
    try:
        for key, value in msg.items():
            if key in props:
                continue
            rules = table.get(key)
            if rules is None:
                if key not in skip:
                    if extra is None:
                        extra = {}
                    extra[key] = value
                continue
            if value is None:
                continue
            for prop, fast, convert in rules:
                if fast is type(value):  # the hot path: no converter call
                    props[prop] = value
                else:
                    out = convert(value)
                    if out is not None:
                        props[prop] = out
    except InvalidField as exc:
        raise MappingError(f"{kind.name} {own_id!r:.60}: field '{key}' {exc}") from None
    declared_extra = msg.get("extra")
    if declared_extra is not None:
        if not isinstance(declared_extra, dict):
            raise MappingError(
                f"{kind.name} {own_id!r:.60}: field 'extra' must be a dict, "
                f"got {type(declared_extra).__name__}"
            )
        extra = {**declared_extra, **extra} if extra else declared_extra
    if extra:
        props["extra_json"] = to_json_text(extra)
    for key in kind.keys:
        value = props.get(key)
        if type(value) is str and too_long(value):
            raise MappingError(f"{kind.name} {own_id!r:.60}: field '{key}' "
                               f"{too_long_reason(value)}")
    return props


def _values(
    msg: Mapping[str, Any],
    kind: Kind,
    own_id: str,
    props: Props,
    settings: EntitySettings,
    builder: DeltaBuilder,
) -> None:
    """Entity nodes and USED / WAS_GENERATED_BY edges of the ``used``/``generated`` dicts."""
    add_node = builder.add_node
    add_edge = builder.edge
    for spec in VALUE_FIELDS:
        values = msg.get(spec.field)
        if not values or not isinstance(values, dict):  # non-dicts: rejected by _props
            continue
        time = props.get(spec.time_prop)
        prefix = f"{own_id}/{spec.id_segment}/"
        edge_type = spec.edge
        entity_is_src = spec.entity_is_src
        # ``used_from`` (capture/handoff.py): a used value that is the very object an
        # earlier task generated is that task's entity, not a new local one.
        sources = msg.get(USED_FROM) if not entity_is_src else None
        for role, value in values.items():
            role_name = role if type(role) is str else str(role)
            local_id = bounded_id(prefix, role_name)
            if sources and type(sources) is dict:
                local_id = _producer_entity(sources.get(role_name)) or local_id
            node = entity_node(value, local_id, settings)
            add_node(node)
            edge_props: Props = {"role": role_name} if time is None else {
                "role": role_name, "time": time}
            if entity_is_src:
                add_edge(edge_type, node.id, own_id, edge_props, role_name)
            else:
                add_edge(edge_type, own_id, node.id, edge_props, role_name)


def _producer_entity(source: Any) -> str | None:
    """The local id of the entity ``[producer_task_id, role]`` names, else ``None``."""
    if (type(source) is list and len(source) == 2 and type(source[0]) is str and source[0]
            and type(source[1]) is str):
        return bounded_id(f"{source[0]}/generated/", source[1])
    return None


def _links(
    msg: Mapping[str, Any],
    kind: Kind,
    own_id: str,
    plan: Node | None,
    builder: DeltaBuilder,
) -> None:
    """Stub nodes and edges for the fields naming other nodes (see ``Link``)."""
    add_node = builder.node
    add_edge = builder.edge
    for link in kind.links:
        value = msg.get(link.field)
        if not value:  # None, "" and [] name nothing
            continue
        if link.unless is not None and msg.get(link.unless):
            continue
        src = own_id
        if link.src_field is not None:
            src_value = msg.get(link.src_field)
            src = src_value if isinstance(src_value, str) and src_value else ""
            if src:
                add_node(src, link.src_labels, {})
        targets = value if link.many else (value,)
        for target in targets:
            name = target if type(target) is str else str(target)
            target_id = link.id_prefix + name
            add_node(target_id, link.target, {"name": name} if link.named else {})
            if not src or target_id == src:
                continue
            edge_props: Props = {**link.props, "plan": plan.id} if (
                link.with_plan and plan is not None) else dict(link.props)
            if link.reverse:
                add_edge(link.edge, target_id, src, edge_props)
            else:
                add_edge(link.edge, src, target_id, edge_props)
