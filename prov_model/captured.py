"""Captured provenance as PROV records: the export side of docs/architecture.md "The PROV
graph", as tables (pure, no I/O).

* :data:`NODE_KINDS`: primary label -> (PROV record kind, ``prov:type`` or ``None``, the
  prop that becomes ``prov:label``).
* :data:`ARG_PROPS`: node props that are formal arguments (activity times).
* :data:`EDGE_RELATIONS`: relationship type -> (record kind, the props that become formal
  arguments, the props that become PROV attributes).
* Every other prop is an attribute in provgraph's vocabulary namespace
  (``provgraph:status``, ``provgraph:tags``, ``provgraph:telemetry_at_end_json``...), lists as
  several values. ``WAS_PART_OF`` is ProvONE's ``provone:wasPartOf``, an attribute of the
  part whose value is the qualified name of the whole.

Ids become IRIs under the instance namespace (``exports.instance_namespace`` in settings):
``<namespace><id, percent-encoded where an IRI needs it>``; see :func:`instance_iri`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Final
from urllib.parse import quote

from prov_model.prov_records import Attr, Record
from prov_model.prov_terms import KIND_BY_NAME
from prov_model.vocab import (
    CAMPAIGN,
    ENTITY,
    PERSON,
    PLAN,
    PROV_NS,
    PROVGRAPH_NS,
    PROVONE_NS,
    SOFTWARE_AGENT,
    TASK,
    USED,
    WAS_ASSOCIATED_WITH,
    WAS_GENERATED_BY,
    WAS_INFORMED_BY,
    WORKFLOW,
)

QNAME: Final = "prov:QUALIFIED_NAME"
PROV_TYPE: Final = PROV_NS + "type"
PROV_LABEL: Final = PROV_NS + "label"
PROV_VALUE: Final = PROV_NS + "value"
PROV_ROLE: Final = PROV_NS + "role"
WAS_PART_OF_IRI: Final = PROVONE_NS + "wasPartOf"
_ARG: Final = "\0arg"  # marks a prop that is a formal argument
_IRI_SAFE: Final = "!$&'()*+,;=:@/~.-_"

# primary label -> (record kind, prov:type IRI or None, prop that is prov:label or None)
NODE_KINDS: Final[dict[str, tuple[str, str | None, str | None]]] = {
    TASK: ("activity", PROVGRAPH_NS + "Task", "activity_id"),
    WORKFLOW: ("activity", PROVGRAPH_NS + "Workflow", "name"),
    CAMPAIGN: ("activity", PROVGRAPH_NS + "Campaign", "name"),
    ENTITY: ("entity", None, None),
    PLAN: ("entity", PROV_NS + "Plan", "name"),
    PERSON: ("agent", PROV_NS + "Person", "name"),
    SOFTWARE_AGENT: ("agent", PROV_NS + "SoftwareAgent", "name"),
}
# Entity props with a PROV meaning (the others are provgraph attributes).
ENTITY_VALUE_PROP: Final = "value"
# node prop -> formal argument (an xsd:dateTime from epoch seconds)
ARG_PROPS: Final = {"started_at": "prov:startTime", "ended_at": "prov:endTime"}

# relationship type -> (record kind, {prop: formal argument}, {prop: attribute IRI})
EDGE_RELATIONS: Final[dict[str, tuple[str, dict[str, str], dict[str, str]]]] = {
    USED: ("used", {"time": "prov:time"}, {"role": PROV_ROLE}),
    WAS_GENERATED_BY: ("wasGeneratedBy", {"time": "prov:time"}, {"role": PROV_ROLE}),
    WAS_INFORMED_BY: ("wasInformedBy", {}, {}),
    WAS_ASSOCIATED_WITH: ("wasAssociatedWith", {"plan": "prov:plan"}, {}),
}
# formal arguments of EDGE_RELATIONS that name nodes (their values become instance IRIs)
NODE_ARGS: Final = frozenset({"prov:plan"})


def instance_iri(namespace: str, node_id: str) -> str:
    """The IRI of a captured node: ``namespace`` + the id, percent-encoded where needed."""
    return namespace + quote(node_id, safe=_IRI_SAFE)


_SECOND_TEXT: dict[int, str] = {}


def xsd_datetime(seconds: float) -> str:
    """Epoch seconds as an ``xsd:dateTime`` in UTC with microseconds (``...Z``)."""
    # Runs twice per task exported: the text of each whole second is made once (tasks
    # come many per second), the microseconds appended.
    whole = int(seconds // 1)
    micro = round((seconds - whole) * 1e6)
    if micro >= 1_000_000:
        whole, micro = whole + 1, micro - 1_000_000
    head = _SECOND_TEXT.get(whole)
    if head is None:
        if len(_SECOND_TEXT) > 100_000:
            _SECOND_TEXT.clear()
        head = _SECOND_TEXT[whole] = datetime.fromtimestamp(whole, UTC).strftime(
            "%Y-%m-%dT%H:%M:%S")
    return f"{head}.{micro:06d}Z"


def _values(key: str, value: Any) -> list[Attr]:
    if isinstance(value, list):
        return [(key, item, None, None) for item in value if item is not None]
    return [(key, value, None, None)]


class CaptureMapper:
    """Captured nodes and edges -> records, with IRIs under ``namespace``."""

    def __init__(self, namespace: str) -> None:
        self.namespace = namespace
        self._iri: Callable[[str], str] = self._make_iri()
        self._keys: dict[str, str] = {}
        self._specials: dict[tuple[str, str | None], dict[str, str]] = {}

    def _make_iri(self) -> Callable[[str], str]:
        cache: dict[str, str] = {}
        namespace = self.namespace

        def iri(node_id: str) -> str:
            found = cache.get(node_id)
            if found is None:
                found = cache[node_id] = instance_iri(namespace, node_id)
                if len(cache) > 50_000:  # bounded: memory must not grow with the export
                    cache.clear()
            return found

        return iri

    def iri(self, node_id: str) -> str:
        return self._iri(node_id)

    def _special(self, kind: str, label_prop: str | None) -> dict[str, str]:
        """prop -> what it becomes when it is not a provgraph attribute, per node kind."""
        found = self._specials.get((kind, label_prop))
        if found is None:
            found = {}
            if label_prop is not None:
                found[label_prop] = PROV_LABEL
            if kind == "activity":
                found.update({prop: _ARG for prop in ARG_PROPS})
            if kind == "entity":
                found[ENTITY_VALUE_PROP] = PROV_VALUE
            self._specials[(kind, label_prop)] = found
        return found

    def _key(self, prop: str) -> str:
        key = self._keys.get(prop)
        if key is None:
            key = self._keys[prop] = PROVGRAPH_NS + prop
        return key

    def node_record(self, node_id: str, labels: Sequence[str], props: Mapping[str, Any],
                    part_of: Sequence[str] = ()) -> Record | None:
        """The element record of a captured node (``None`` for a label with no PROV kind)."""
        spec = NODE_KINDS.get(labels[-1]) if labels else None
        if spec is None:
            return None
        kind, prov_type, label_prop = spec
        attrs: list[Attr] = []
        args: dict[str, str] = {}
        if prov_type is not None:
            attrs.append((PROV_TYPE, prov_type, QNAME, None))
        special = self._special(kind, label_prop)
        keys = self._keys
        for prop in sorted(props):  # props come in store order: sort
            value = props[prop]
            target = special.get(prop)
            if target is None:
                name = keys.get(prop) or self._key(prop)
            elif target == _ARG:
                if isinstance(value, (int, float)):
                    args[ARG_PROPS[prop]] = xsd_datetime(value)
                continue
            else:
                name = target
            if type(value) is list:
                attrs.extend((name, item, None, None) for item in value if item is not None)
            else:
                attrs.append((name, value, None, None))
        for whole in part_of:
            attrs.append((WAS_PART_OF_IRI, self._iri(whole), QNAME, None))
        return Record(kind, self._iri(node_id), args, attrs)

    def edge_record(self, edge_type: str, src: str, dst: str,
                    props: Mapping[str, Any]) -> Record | None:
        """The relation record of a captured edge (``None`` for ``WAS_PART_OF``, which
        :meth:`node_record` writes as an attribute)."""
        spec = EDGE_RELATIONS.get(edge_type)
        if spec is None:
            return None
        kind, arg_props, attr_props = spec
        formal = KIND_BY_NAME[kind]
        args = {formal.src.name: self._iri(src), formal.dst.name: self._iri(dst)}
        attrs: list[Attr] = []
        for prop, value in sorted(props.items()):
            if prop in arg_props:
                arg = arg_props[prop]
                if arg == "prov:time":
                    if isinstance(value, (int, float)):
                        args[arg] = xsd_datetime(value)
                else:
                    args[arg] = self._iri(str(value)) if arg in NODE_ARGS else str(value)
            elif prop in attr_props:
                attrs.append((attr_props[prop], value, None, None))
            else:
                attrs.extend(_values(self._key(prop), value))
        return Record(kind, None, args, attrs)
