"""Imported PROV in the graph: PROV records <-> nodes and edges, losslessly (pure, no I/O).

The representation (docs/prov.md, "Imported PROV"):

* An element is a node with the general label of each kind it is declared as (``Entity``,
  ``Activity``, ``Agent``). Its id is its IRI (``<bundle IRI> <IRI>`` inside a bundle: the
  same name in two bundles is two descriptions). Props: ``iri``, ``bundle``, ``declared``
  (the kinds declared, sorted; a node only referenced by relations has none and is not
  written back as an element), activity times as ``prov_startTime`` / ``prov_endTime``
  (the exact lexical ``xsd:dateTime``) plus ``started_at`` / ``ended_at`` in epoch seconds
  (as captured activities have them), and the attributes.
* A relation is an edge of its :data:`prov_terms.RECORD_KINDS` type from the node of its
  first argument to the node of its second. Props: ``rid`` (a hash of the whole record: the
  edge's identity, so the same record imported twice is one edge and two records between
  the same nodes are two edges), ``prov_id`` (its identifier, when named), ``bundle``, the
  other formal arguments as ``prov_<name>`` (IRIs; times lexical, plus ``time`` in epoch
  seconds), and the attributes. A relation without its first or second argument (``-``) is a
  self-loop on the node it has, flagged ``src_absent`` / ``dst_absent``; one with neither
  hangs on an anchor node of its own (``urn:provgraph:relation:<rid>``).
* Attributes: one property per attribute name (``prov:type``, ``prov:label``... for PROV's
  own, the full IRI otherwise). Values PROV-JSON writes bare (strings, numbers, booleans) of
  one Python type are stored as they are (a list when there are several); otherwise the
  property holds the lexical forms and ``<name>^^`` the parallel list of their types:
  ``xsd:int``, ``prov:QUALIFIED_NAME`` (the value then a full IRI), ``@fr`` or
  ``prov:InternationalizedString@fr`` for language-tagged strings, ``""`` for a bare
  string and ``#int`` / ``#float`` / ``#bool`` for bare numbers and booleans.
* Namespaces: one ``Namespace`` node per namespace IRI (id = the IRI, ``prefix``); the first
  prefix seen for an IRI is kept.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

import orjson

from prov_model.delta import Edge, GraphDelta, Node, Props
from prov_model.iri import iri_problem, lang_problem, shown
from prov_model.prov_records import Attr, AttrValue, ProvSyntaxError, Record
from prov_model.prov_terms import (
    BUNDLE,
    ELEMENT_KINDS,
    ELEMENT_LABEL,
    KIND_BY_EDGE,
    KIND_BY_NAME,
    QUALIFIED_NAME_TYPES,
    TIME,
    compact_builtin,
    expand_builtin,
)
from prov_model.vocab import ENTITY, NAMESPACE_LABELS

ANCHOR_PREFIX: Final = "urn:provgraph:relation:"
TYPES_SUFFIX: Final = "^^"
IRI: Final = "iri"
BUNDLE_PROP: Final = "bundle"
DECLARED: Final = "declared"
RID: Final = "rid"
PROV_ID: Final = "prov_id"
SRC_ABSENT: Final = "src_absent"
DST_ABSENT: Final = "dst_absent"
# Time arguments also stored in epoch seconds, under the names captured provenance uses.
EPOCH_PROP: Final = {"prov:startTime": "started_at", "prov:endTime": "ended_at",
                     "prov:time": "time"}
_NATIVE: Final = (str, int, float, bool)
_NATIVE_MARK: Final = {int: "#int", float: "#float", bool: "#bool"}
_INT64 = (-(2**63), 2**63 - 1)


def arg_prop(name: str) -> str:
    """The property holding formal argument ``prov:x``: ``prov_x``."""
    return "prov_" + name.partition(":")[2]


def node_id(iri: str, bundle: str | None) -> str:
    """The graph id of the element ``iri`` of ``bundle`` (``None``: the document)."""
    return iri if bundle is None else f"{bundle} {iri}"


def is_imported(props: Mapping[str, Any]) -> bool:
    """Whether a node's props are those of an imported element (it has an ``iri``)."""
    return IRI in props


def epoch(lexical: str) -> float | None:
    """Epoch seconds of an ``xsd:dateTime`` (UTC when it has no offset), or ``None``."""
    try:
        moment = datetime.fromisoformat(lexical)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


# --- attributes <-> properties --------------------------------------------------------------


def attr_key(key: str) -> str:
    """The property name of attribute ``key`` (a full IRI)."""
    return compact_builtin(key)


def _mark(value: AttrValue, datatype: str | None, lang: str | None) -> str:
    if datatype is None and lang is None:
        return "" if type(value) is str else _NATIVE_MARK[type(value)]
    return (datatype or "") + (f"@{lang}" if lang else "")


def encode_attrs(attrs: Iterable[Attr], props: Props) -> None:
    """Add ``attrs`` to ``props`` (see the module docstring); repeated values are kept once."""
    grouped: dict[str, list[tuple[AttrValue, str | None, str | None]]] = {}
    seen: set[tuple[str, type, AttrValue, str | None, str | None]] = set()
    for key, value, datatype, lang in attrs:
        name = attr_key(key)
        values = grouped.setdefault(name, [])
        marker = (name, type(value), value, datatype, lang)  # True and 1 are two values
        if marker not in seen:
            seen.add(marker)
            values.append((value, datatype, lang))
    for name, values in grouped.items():
        kinds = {type(v) for v, dt, lang in values if dt is None and lang is None}
        plain = (len(kinds) == 1 and all(dt is None and lang is None for _, dt, lang in values)
                 and not any(type(v) is int and not _INT64[0] <= v <= _INT64[1]
                             for v, _, _ in values))
        if plain:
            props[name] = values[0][0] if len(values) == 1 else [v for v, _, _ in values]
        else:
            props[name] = [_lexical(v) for v, _, _ in values]
            props[name + TYPES_SUFFIX] = [_mark(v, dt, lang) for v, dt, lang in values]


def _lexical(value: AttrValue) -> str:
    if type(value) is bool:
        return "true" if value else "false"
    if type(value) is float:
        return repr(value)
    return str(value)


def _from_mark(text: str, mark: str) -> tuple[AttrValue, str | None, str | None]:
    if mark == "":
        return text, None, None
    if mark == "#int":
        return int(text), None, None
    if mark == "#float":
        return float(text), None, None
    if mark == "#bool":
        return text == "true", None, None
    datatype, _, lang = mark.partition("@")
    return text, datatype or None, lang or None


def decode_attrs(props: Mapping[str, Any]) -> list[Attr]:
    """The attributes held in ``props`` (every key with a ``:``), sorted by key."""
    out: list[Attr] = []
    for name in sorted(props):
        if ":" not in name or name.endswith(TYPES_SUFFIX):
            continue
        key = expand_builtin(name)
        stored = props[name]
        marks = props.get(name + TYPES_SUFFIX)
        values = stored if isinstance(stored, list) else [stored]
        if marks is None:
            out.extend((key, value, None, None) for value in values)
        else:
            marks = marks if isinstance(marks, list) else [marks]
            for text, mark in zip(values, marks, strict=False):
                value, datatype, lang = _from_mark(str(text), str(mark))
                out.append((key, value, datatype, lang))
    return out


# --- records -> graph ---------------------------------------------------------------------


@dataclass(slots=True)
class _Pending:
    labels: list[str] = field(default_factory=list)
    declared: set[str] = field(default_factory=set)
    attrs: list[Attr] = field(default_factory=list)
    args: dict[str, str] = field(default_factory=dict)
    iri: str = ""
    bundle: str | None = None
    referenced_as: set[str] = field(default_factory=set)


def relation_key(record: Record) -> str:
    """The ``rid`` of a relation: a hash of everything it says."""
    attrs = sorted(orjson.dumps(list(a)) for a in record.attrs)
    blob = orjson.dumps([record.bundle, record.kind, record.id,
                         sorted(record.args.items()), [a.decode() for a in attrs]])
    return hashlib.sha256(blob).hexdigest()[:32]


class ImportBuilder:
    """Collects the records of one document; :meth:`build` gives the delta to import."""

    def __init__(self) -> None:
        self._nodes: dict[str, _Pending] = {}
        self._edges: dict[str, Edge] = {}
        self.namespaces: dict[str, str] = {}  # uri -> prefix (first wins)
        self.records = 0

    def namespace(self, prefix: str, uri: str) -> None:
        problem = iri_problem(uri)
        if problem is not None:
            raise ProvSyntaxError(f"namespace of prefix {prefix!r}: {problem}")
        self.namespaces.setdefault(uri, prefix)

    def _node(self, iri: str, bundle: str | None) -> _Pending:
        key = node_id(iri, bundle)
        pending = self._nodes.get(key)
        if pending is None:
            pending = self._nodes[key] = _Pending(iri=iri, bundle=bundle)
        return pending

    def add(self, record: Record) -> None:
        self.records += 1
        check_names(record)
        if record.kind == BUNDLE:
            if record.id is None:
                raise ProvSyntaxError("a bundle needs an identifier")
            pending = self._node(record.id, None)
            pending.declared.add(BUNDLE)
            pending.referenced_as.add(ENTITY)
            return
        kind = KIND_BY_NAME.get(record.kind)
        if kind is None:
            raise ProvSyntaxError(f"unknown record type {record.kind!r}")
        if kind.is_element:
            if record.id is None:
                raise ProvSyntaxError(f"an {record.kind} needs an identifier")
            pending = self._node(record.id, record.bundle)
            pending.declared.add(kind.name)
            label = ELEMENT_LABEL[kind.name]
            if label not in pending.labels:
                pending.labels.append(label)
            pending.attrs.extend(record.attrs)
            for name, value in record.args.items():
                pending.args[name] = value
            return
        self._relation(record)

    def _relation(self, record: Record) -> None:
        kind = KIND_BY_NAME[record.kind]
        rid = relation_key(record)
        if rid in self._edges:
            return
        props: Props = {RID: rid}
        if record.id is not None:
            props[PROV_ID] = record.id
        if record.bundle is not None:
            props[BUNDLE_PROP] = record.bundle
        ends: list[str | None] = []
        for arg in (kind.src, kind.dst):
            iri = record.args.get(arg.name)
            if iri is None:
                ends.append(None)
                continue
            pending = self._node(iri, record.bundle)
            pending.referenced_as.add(arg.kind)
            ends.append(node_id(iri, record.bundle))
        for arg in kind.extra:
            value = record.args.get(arg.name)
            if value is None:
                continue
            props[arg_prop(arg.name)] = value
            if arg.kind == TIME and (seconds := epoch(value)) is not None:
                props[EPOCH_PROP[arg.name]] = seconds
        unknown = set(record.args) - {arg.name for arg in kind.args}
        if unknown:
            raise ProvSyntaxError(f"{record.kind} has no argument {sorted(unknown)[0]}")
        encode_attrs(record.attrs, props)
        src, dst = ends
        if src is None:
            props[SRC_ABSENT] = True
        if dst is None:
            props[DST_ABSENT] = True
        if src is None and dst is None:
            anchor = self._node(ANCHOR_PREFIX + rid, None)
            anchor.referenced_as.add(ENTITY)
            src = dst = node_id(anchor.iri, None)
        self._edges[rid] = Edge(kind.edge or "", src or dst or "", dst or src or "", props)

    def build(self) -> GraphDelta:
        """Namespace nodes first, then element nodes (sorted by id), then edges."""
        nodes = [Node(uri, NAMESPACE_LABELS, {"prefix": prefix})
                 for uri, prefix in sorted(self.namespaces.items())]
        for key in sorted(self._nodes):
            pending = self._nodes[key]
            labels = list(pending.labels)
            for role in sorted(pending.referenced_as):
                label = role if role in ELEMENT_LABEL.values() else None
                if label and label not in labels:
                    labels.append(label)
            if not labels:  # only ever an influencee / influencer
                labels.append(ENTITY)
            props: Props = {IRI: pending.iri}
            if pending.bundle is not None:
                props[BUNDLE_PROP] = pending.bundle
            if pending.declared:
                props[DECLARED] = sorted(pending.declared)
            for name, value in pending.args.items():
                props[arg_prop(name)] = value
                if (seconds := epoch(value)) is not None:
                    props[EPOCH_PROP[name]] = seconds
            encode_attrs(pending.attrs, props)
            nodes.append(Node(key, _general_first(labels), props))
        return GraphDelta(nodes, list(self._edges.values()))


def check_names(record: Record) -> None:
    """Refuse a record holding a name that is not an IRI, or a language tag that is not
    BCP 47 (:mod:`prov_model.iri`): what an import stores, every writer can write as it is."""
    where = f"{record.kind} {shown(record.id)}" if record.id is not None else record.kind
    names = [("identifier", record.id), ("bundle", record.bundle)]
    kind = KIND_BY_NAME.get(record.kind)
    for arg in kind.args if kind is not None else ():
        if arg.kind != TIME:
            names.append((arg.name, record.args.get(arg.name)))
    for key, value, datatype, lang in record.attrs:
        names.append(("attribute name", key))
        if datatype is not None and ":" in datatype and "/" in datatype:
            names.append((f"datatype of {shown(compact_builtin(key))}", datatype))
        if datatype in QUALIFIED_NAME_TYPES:
            names.append((f"value of {shown(compact_builtin(key))}", str(value)))
        if lang is not None and (problem := lang_problem(str(lang))) is not None:
            raise ProvSyntaxError(f"{shown(compact_builtin(key))}: {problem}", where)
    for what, name in names:
        if name is not None and (problem := iri_problem(name)) is not None:
            raise ProvSyntaxError(f"{what}: {problem}", where)


def _general_first(labels: list[str]) -> tuple[str, ...]:
    order = list(ELEMENT_LABEL.values())
    return tuple(sorted(labels, key=order.index))


# --- graph -> records ---------------------------------------------------------------------


def element_records(node_id_: str, props: Mapping[str, Any]) -> list[Record]:
    """The element records (one per declared kind) of an imported node; none for a node
    only referenced by relations. A bundle's own record is :func:`bundle_record`."""
    declared = props.get(DECLARED) or ()
    if not declared:
        return []
    iri = str(props[IRI])
    bundle = props.get(BUNDLE_PROP)
    attrs = decode_attrs(props)
    out = []
    for kind_name in ELEMENT_KINDS:
        if kind_name not in declared:
            continue
        args: dict[str, str] = {}
        for arg in KIND_BY_NAME[kind_name].args:
            value = props.get(arg_prop(arg.name))
            if value is not None:
                args[arg.name] = str(value)
        out.append(Record(kind_name, iri, args, list(attrs), bundle))
    return out


def is_bundle(props: Mapping[str, Any]) -> bool:
    return BUNDLE in (props.get(DECLARED) or ())


def iri_of(node_key: str, bundle: str | None) -> str:
    """The element IRI inside a graph id made by :func:`node_id`."""
    if bundle is not None and node_key.startswith(bundle + " "):
        return node_key[len(bundle) + 1:]
    return node_key


def relation_record(edge_type: str, src: str, dst: str, props: Mapping[str, Any]) -> Record:
    """The PROV relation an imported edge holds."""
    kind = KIND_BY_EDGE[edge_type]
    bundle = props.get(BUNDLE_PROP)
    bundle = str(bundle) if bundle is not None else None
    args: dict[str, str] = {}
    if not props.get(SRC_ABSENT):
        args[kind.src.name] = iri_of(src, bundle)
    if not props.get(DST_ABSENT):
        args[kind.dst.name] = iri_of(dst, bundle)
    for arg in kind.extra:
        value = props.get(arg_prop(arg.name))
        if value is not None:
            args[arg.name] = str(value)
    rel_id = props.get(PROV_ID)
    return Record(kind.name, str(rel_id) if rel_id is not None else None, args,
                  decode_attrs(props), bundle)


def is_imported_edge(props: Mapping[str, Any]) -> bool:
    return RID in props
