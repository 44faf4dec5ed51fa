"""PROV-JSON of captured provenance, straight from the stored props (the writer's fast path).

What :class:`prov_model.captured.CaptureMapper` and :meth:`exports.provjson.JsonValues.body`
make together, without the full IRIs and :class:`Record` in between: per node kind and per
relationship type, a table of prop -> PROV-JSON key (a qualified name, made once per prop
with the document's :class:`PrefixMap`, which also marks the prefix as used), and node ids
as ``<instance prefix>:<id, percent-encoded where needed>``. The output is byte-identical
to the general path (tests compare the two).

The tables hold qualified names, which depend on the prefixes bound so far; a writer may
bind new ones (an imported IRI outside every namespace), so they are rebuilt whenever the
prefix map grows. When a namespace nested under the instance namespace is bound, the
shortcut for ids is off and ids go through :meth:`PrefixMap.qname`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Final
from urllib.parse import quote

from exports.config import NAME_CACHE
from prov_model.captured import (
    ARG_PROPS,
    EDGE_RELATIONS,
    NODE_ARGS,
    NODE_KINDS,
    PROV_TYPE,
    QNAME,
    WAS_PART_OF_IRI,
    CaptureMapper,
    instance_iri,
    xsd_datetime,
)
from prov_model.namespaces import PrefixMap
from prov_model.prov_terms import KIND_BY_NAME
from prov_model.vocab import PROVGRAPH_NS

# Ids that instance_iri leaves as they are (quote's unreserved characters plus its safe set).
_IRI_PLAIN: Final = re.compile(r"[A-Za-z0-9_.~!$&'()*+,;=:@/-]*\Z")
_IRI_SAFE: Final = "!$&'()*+,;=:@/~.-_"
_SKIP: Final = ""  # a prop that is a formal argument (written from its own table)
_SRC: Final = "\0src"
_DST: Final = "\0dst"

Body = dict[str, Any]


class CapturedJson:
    """``node(...)`` and ``edge(...)``: the PROV-JSON key and body of a captured node or
    edge, as :class:`exports.provjson.JsonValues` would write its record."""

    def __init__(self, prefixes: PrefixMap, mapper: CaptureMapper) -> None:
        self.prefixes = prefixes
        self.mapper = mapper
        self.namespace = mapper.namespace
        self._seen = -1  # size of the prefix map the tables were made with
        self._reset()

    def _reset(self) -> None:
        prefixes = self.prefixes
        self._seen = len(prefixes.by_prefix)
        ns = self.namespace
        nested = any(uri != ns and uri.startswith(ns) for uri in prefixes.by_prefix.values())
        own = prefixes.prefix_of(ns)
        self._id_prefix = None if nested or own is None else own + ":"
        self._ids: dict[str, str] = {}
        self._node_keys: dict[str, dict[str, str]] = {}
        self._node_consts: dict[str, tuple[str, Body | None]] = {}
        self._edge_keys: dict[str, dict[str, str]] = {}
        self._part_of_key: str | None = None

    def _fresh(self) -> None:
        if len(self.prefixes.by_prefix) != self._seen:
            self._reset()

    # --- names -------------------------------------------------------------------------

    def qid(self, node_id: str) -> str:
        """The qualified name of a captured node's IRI."""
        found = self._ids.get(node_id)
        if found is not None:
            return found
        prefix = self._id_prefix
        if prefix is None:
            found = self.prefixes.qname(instance_iri(self.namespace, node_id))
        else:
            local = node_id if _IRI_PLAIN.match(node_id) else quote(node_id, safe=_IRI_SAFE)
            found = prefix + local
            self.prefixes.used.add(prefix[:-1])
        if len(self._ids) >= NAME_CACHE:  # bounded: memory must not grow with the export
            self._ids.clear()
        self._ids[node_id] = found
        return found

    def _node_key(self, label: str, prop: str) -> str:
        kind, _, label_prop = NODE_KINDS[label]
        target = self.mapper._special(kind, label_prop).get(prop)
        if target is None:
            key = self.prefixes.qname(PROVGRAPH_NS + prop)
        elif prop in ARG_PROPS and kind == "activity":
            key = _SKIP
        else:
            key = self.prefixes.qname(target)
        self._node_keys[label][prop] = key
        return key

    def _edge_key(self, edge_type: str, prop: str) -> str:
        _, arg_props, attr_props = EDGE_RELATIONS[edge_type]
        if prop in arg_props:
            key = _SKIP
        elif prop in attr_props:
            key = self.prefixes.qname(attr_props[prop])
        else:
            key = self.prefixes.qname(PROVGRAPH_NS + prop)
        self._edge_keys[edge_type][prop] = key
        return key

    # --- records -----------------------------------------------------------------------

    def node(self, node_id: str, labels: list[str], props: dict[str, Any],
             part_of: Sequence[str]) -> tuple[str, Body]:
        self._fresh()
        label = labels[-1]
        keys = self._node_keys.get(label)
        if keys is None:
            keys = self._node_keys[label] = {}
            prov_type = NODE_KINDS[label][1]
            type_attr = None if prov_type is None else {
                "$": self.prefixes.qname(prov_type), "type": QNAME}
            if type_attr is not None:
                self.prefixes.used.add("prov")  # JsonValues.datatype marks it
            self._node_consts[label] = (
                self.prefixes.qname(PROV_TYPE) if type_attr is not None else "", type_attr)
        type_key, type_attr = self._node_consts[label]
        body: Body = {}
        if NODE_KINDS[label][0] == "activity":
            for prop, arg in _TIME_ARGS:
                value = props.get(prop)
                if isinstance(value, (int, float)):
                    body[arg] = xsd_datetime(value)
        if type_attr is not None:
            body[type_key] = type_attr
        for prop in sorted(props):
            value = props[prop]
            if type(value) is list:  # several values (none: no key, as in the general path)
                value = _several(value)
                if value is None:
                    continue
            key = keys.get(prop)
            if key is None:
                key = self._node_key(label, prop)
            if key:
                body[key] = value
        if part_of:
            if self._part_of_key is None:
                self._part_of_key = self.prefixes.qname(WAS_PART_OF_IRI)
                self.prefixes.used.add("prov")  # the datatype, as JsonValues.datatype marks it
            wholes = [{"$": self.qid(whole), "type": QNAME} for whole in part_of]
            body[self._part_of_key] = wholes[0] if len(wholes) == 1 else wholes
        return self.qid(node_id), body

    def edge(self, edge_type: str, src: str, dst: str, props: dict[str, Any]) -> Body:
        self._fresh()
        keys = self._edge_keys.get(edge_type)
        if keys is None:
            keys = self._edge_keys[edge_type] = {}
        order, attr_props = _EDGE_ARGS[edge_type]
        body: Body = {}
        for arg, source in order:
            if source is _SRC:
                body[arg] = self.qid(src)
            elif source is _DST:
                body[arg] = self.qid(dst)
            elif source in props:
                value = props[source]
                if arg == "prov:time":
                    if isinstance(value, (int, float)):
                        body[arg] = xsd_datetime(value)
                elif arg in NODE_ARGS:
                    body[arg] = self.qid(str(value))
                else:
                    body[arg] = self.prefixes.qname(str(value))
        for prop in sorted(props):
            value = props[prop]
            if type(value) is list and prop not in attr_props:  # several values
                value = _several(value)
                if value is None:
                    continue
            key = keys.get(prop)
            if key is None:
                key = self._edge_key(edge_type, prop)
            if key:
                body[key] = value
        return body


_TIME_ARGS: Final = tuple((prop, arg) for arg in ("prov:startTime", "prov:endTime")
                          for prop, name in ARG_PROPS.items() if name == arg)


def _edge_args() -> dict[str, tuple[tuple[tuple[str, str], ...], dict[str, str]]]:
    """Per relationship type: (formal argument, where its value comes from) in the formal
    order PROV-JSON writes them, and the props that are PROV attributes."""
    out: dict[str, tuple[tuple[tuple[str, str], ...], dict[str, str]]] = {}
    for edge_type, (kind_name, arg_props, attr_props) in EDGE_RELATIONS.items():
        kind = KIND_BY_NAME[kind_name]
        by_arg = {arg: prop for prop, arg in arg_props.items()}
        order: list[tuple[str, str]] = [(kind.src.name, _SRC), (kind.dst.name, _DST)]
        order.extend((arg.name, by_arg[arg.name]) for arg in kind.extra if arg.name in by_arg)
        out[edge_type] = (tuple(order), attr_props)
    return out


_EDGE_ARGS: Final = _edge_args()


def _several(values: list[Any]) -> Any:
    """A list prop as PROV-JSON writes it: its non-null items, one bare, none as None."""
    kept = [item for item in values if item is not None]
    if not kept:
        return None
    return kept[0] if len(kept) == 1 else kept
