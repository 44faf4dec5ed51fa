"""PROV-O: PROV records as RDF statements, for the Turtle, TriG, N-Triples and JSON-LD writers.

The mapping (W3C PROV-O): an element is ``<id> a prov:Entity|Activity|Agent`` with
``prov:startedAtTime`` / ``prov:endedAtTime`` (``xsd:dateTime``); PROV attributes become
``rdf:type`` (qualified names), ``rdfs:label``, ``prov:atLocation``, ``prov:hadRole``,
``prov:value``; other attributes keep their IRI. A relation is its starting-point property
(``<activity> prov:used <entity>``) and, when it says more (an identifier, a time, a role,
a plan, attributes), the qualified pattern: ``<activity> prov:qualifiedUsage _:u`` with
``_:u a prov:Usage ; prov:entity <entity> ; prov:atTime ... ; prov:hadRole ...``
(``prov:qualifiedAssociation`` with ``prov:hadPlan``, ...). Relations PROV-O does not
qualify (``alternateOf``, ``specializationOf``, ``hadMember``, ``mentionOf``) are the triple
alone.

A term is a tuple: ``("i", iri)``, ``("b", label)`` or ``("l", lexical, datatype IRI or
None, lang or None)``; :class:`Statements` yields ``(subject, [(predicate IRI, object)])``
groups, one per subject, so a writer can group them as Turtle does.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

from prov_model.prov_records import Record
from prov_model.prov_terms import (
    KIND_BY_NAME,
    PROV_ATTRIBUTES,
    QUALIFIED_NAME_TYPES,
    QUALIFIED_PROPERTY,
    TIME,
    expand_builtin,
)
from prov_model.vocab import PROV_NS, RDF_NS, XSD_NS

Term = tuple[Any, ...]
Group = tuple[Term, list[tuple[str, Term]]]

RDF_TYPE: Final = RDF_NS + "type"
XSD_DATETIME: Final = XSD_NS + "dateTime"
_ELEMENT_CLASS: Final = {"entity": PROV_NS + "Entity", "activity": PROV_NS + "Activity",
                         "agent": PROV_NS + "Agent"}
_ELEMENT_TIMES: Final = {"prov:startTime": PROV_NS + "startedAtTime",
                         "prov:endTime": PROV_NS + "endedAtTime"}
_ATTRIBUTE_PROPERTY: Final = {PROV_NS + k[5:]: expand_builtin(v)
                              for k, v in PROV_ATTRIBUTES.items()}
_NATIVE_TYPE: Final = {int: XSD_NS + "integer", float: XSD_NS + "double",
                       bool: XSD_NS + "boolean"}
_BUNDLE_CLASS: Final = PROV_NS + "Bundle"


def literal(value: Any, datatype: str | None, lang: str | None) -> Term:
    """The RDF term of an attribute value (qualified names are IRIs)."""
    if datatype is None and lang is None:
        kind = type(value)
        if kind is str:
            return ("l", value, None, None)
        if kind is bool:
            return ("l", "true" if value else "false", _NATIVE_TYPE[bool], None)
        return ("l", repr(value) if kind is float else str(value), _NATIVE_TYPE[kind], None)
    if datatype in QUALIFIED_NAME_TYPES:
        return ("i", str(value))
    if lang is not None:
        return ("l", str(value), None, lang)
    return ("l", str(value), expand_builtin(datatype or ""), None)


class Statements:
    """PROV-O statements of records; blank node labels are numbered per writer run."""

    def __init__(self) -> None:
        self._blank = 0

    def blank(self) -> Term:
        self._blank += 1
        return ("b", f"b{self._blank}")

    def of(self, record: Record) -> Iterator[Group]:
        if record.kind == "bundle":
            yield ("i", record.id), [(RDF_TYPE, ("i", _BUNDLE_CLASS))]
            return
        kind = KIND_BY_NAME[record.kind]
        if kind.is_element:
            yield self._element(record)
        else:
            yield from self._relation(record)

    def _attrs(self, record: Record, into: list[tuple[str, Term]]) -> None:
        for key, value, datatype, lang in record.attrs:
            prop = _ATTRIBUTE_PROPERTY.get(key, key)
            term = literal(value, datatype, lang)
            if prop == RDF_TYPE and term[0] != "i":
                prop = PROV_NS + "type"  # rdf:type takes a class: a literal type stays prov:type
            into.append((prop, term))

    def _element(self, record: Record) -> Group:
        pairs: list[tuple[str, Term]] = [(RDF_TYPE, ("i", _ELEMENT_CLASS[record.kind]))]
        for name, value in record.args.items():
            pairs.append((_ELEMENT_TIMES[name], ("l", value, XSD_DATETIME, None)))
        self._attrs(record, pairs)
        return ("i", record.id), pairs

    def _relation(self, record: Record) -> Iterator[Group]:
        kind = KIND_BY_NAME[record.kind]
        src = record.args.get(kind.src.name)
        dst = record.args.get(kind.dst.name)
        unqualified = PROV_NS + (kind.unqualified or "")
        if kind.qualified is None:
            if src is not None and dst is not None:
                pairs: list[tuple[str, Term]] = [(unqualified, ("i", dst))]
                bundle = record.args.get("prov:bundle")
                if bundle is not None:
                    pairs.append((PROV_NS + "asInBundle", ("i", bundle)))
                yield ("i", src), pairs
            return
        extra = [arg for arg in kind.extra if arg.name in record.args]
        needs_node = bool(record.id or extra or record.attrs or dst is None or src is None)
        if src is not None and dst is not None:
            yield ("i", src), [(unqualified, ("i", dst))]
        if not needs_node:
            return
        node = ("i", record.id) if record.id else self.blank()
        pairs = [(RDF_TYPE, ("i", PROV_NS + kind.prov_class))]
        if dst is not None:
            pairs.append((PROV_NS + (kind.qualified_object or ""), ("i", dst)))
        for arg in extra:
            value = record.args[arg.name]
            prop = expand_builtin(QUALIFIED_PROPERTY.get(arg.name, arg.name))
            pairs.append((prop, ("l", value, XSD_DATETIME, None) if arg.kind == TIME
                          else ("i", value)))
        self._attrs(record, pairs)
        if src is not None:
            yield ("i", src), [(PROV_NS + kind.qualified, node)]
        yield node, pairs
