"""RDF terms as text: IRIs (as Turtle prefixed names when a prefix fits), blank nodes and
literals, escaped for Turtle, TriG and N-Triples alike.

A name holding what no IRI may hold (a space, a control, ``<>"{}|^`\\``) is percent-encoded
(:func:`prov_model.iri.percent_encoded`): its text can never close the brackets and add
statements of its own. A language tag that is not BCP 47 cannot be written at all:
:class:`exports.base.Unwritable` is raised and the writer leaves that record out, naming it.
A namespace that is not an IRI gets no ``@prefix`` (its IRIs are written in full).
"""

from __future__ import annotations

import re

from exports.base import Unwritable
from exports.config import NAME_CACHE
from exports.rdf_common import RDF_TYPE, Term
from prov_model.iri import is_iri, lang_problem, percent_encoded
from prov_model.namespaces import PrefixMap

_PN_LOCAL = re.compile(r"[A-Za-z0-9_:]([A-Za-z0-9_.:\-]*[A-Za-z0-9_:\-])?\Z")
PN_PREFIX = re.compile(r"[A-Za-z]([A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?\Z")
_ESCAPES = {ord("\\"): "\\\\", ord('"'): '\\"', ord("\n"): "\\n", ord("\r"): "\\r",
            ord("\t"): "\\t", **{c: f"\\u{c:04X}" for c in range(32) if c not in (9, 10, 13)}}


_NEEDS_ESCAPE = re.compile(r'[\x00-\x1f"\\]')
_CONTROL = re.compile(r"[\x00-\x1f]")


def quote(text: str) -> str:
    # Most values need no escape, and most that do only have quotes or backslashes (JSON
    # text): a search and two replaces are much cheaper than translate.
    if _NEEDS_ESCAPE.search(text) is None:
        return '"' + text + '"'
    if _CONTROL.search(text) is None:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return '"' + text.translate(_ESCAPES) + '"'


def declared(prefixes: PrefixMap) -> list[tuple[str, str]]:
    """``(prefix, namespace)`` of the prefixes Turtle and TriG may declare, by prefix."""
    return [(p, uri) for p, uri in sorted(prefixes.by_prefix.items())
            if PN_PREFIX.match(p) and is_iri(uri)]


class TermWriter:
    """Terms as text, with Turtle prefixed names when ``prefixes`` is given (cached)."""

    def __init__(self, prefixes: PrefixMap | None) -> None:
        self._names: dict[str, str] = {}
        self._ordered = [] if prefixes is None else sorted(
            ((uri, p) for p, uri in declared(prefixes)), key=lambda item: -len(item[0]))
        self._names[RDF_TYPE] = "a" if prefixes is not None else f"<{RDF_TYPE}>"

    def iri(self, iri: str) -> str:
        found = self._names.get(iri)
        if found is None:
            for uri, prefix in self._ordered:
                if iri.startswith(uri) and _PN_LOCAL.match(iri[len(uri):]):
                    found = f"{prefix}:{iri[len(uri):]}"
                    break
            else:
                found = f"<{iri if is_iri(iri) else percent_encoded(iri)}>"
            if len(self._names) < NAME_CACHE:
                self._names[iri] = found
        return found

    def term(self, term: Term) -> str:
        tag = term[0]
        if tag == "i":
            text = self.iri(term[1])
            return text if text != "a" else f"<{RDF_TYPE}>"
        if tag == "b":
            return "_:" + term[1]
        text = quote(term[1])
        if term[3]:
            if (problem := lang_problem(term[3])) is not None:
                raise Unwritable(problem)
            return f"{text}@{term[3]}"
        if term[2]:
            return f"{text}^^{self.iri(term[2])}"
        return text
