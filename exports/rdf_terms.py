"""RDF terms as text: IRIs (as Turtle prefixed names when a prefix fits), blank nodes and
literals, escaped for Turtle, TriG and N-Triples alike."""

from __future__ import annotations

import re

from exports.config import NAME_CACHE
from exports.rdf_common import RDF_TYPE, Term
from prov_model.namespaces import PrefixMap

_PN_LOCAL = re.compile(r"[A-Za-z0-9_:]([A-Za-z0-9_.:\-]*[A-Za-z0-9_:\-])?\Z")
PN_PREFIX = re.compile(r"[A-Za-z]([A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?\Z")
_ESCAPES = {ord("\\"): "\\\\", ord('"'): '\\"', ord("\n"): "\\n", ord("\r"): "\\r",
            ord("\t"): "\\t", **{c: f"\\u{c:04X}" for c in range(32) if c not in (9, 10, 13)}}
_IRI_ESCAPES = {c: f"\\u{c:04X}" for c in (*range(33), *map(ord, '<>"{}|^`\\'))}


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


class TermWriter:
    """Terms as text, with Turtle prefixed names when ``prefixes`` is given (cached)."""

    def __init__(self, prefixes: PrefixMap | None) -> None:
        self._names: dict[str, str] = {}
        self._ordered = [] if prefixes is None else sorted(
            ((uri, p) for p, uri in prefixes.by_prefix.items() if PN_PREFIX.match(p)),
            key=lambda item: -len(item[0]))
        self._names[RDF_TYPE] = "a" if prefixes is not None else f"<{RDF_TYPE}>"

    def iri(self, iri: str) -> str:
        found = self._names.get(iri)
        if found is None:
            for uri, prefix in self._ordered:
                if iri.startswith(uri) and _PN_LOCAL.match(iri[len(uri):]):
                    found = f"{prefix}:{iri[len(uri):]}"
                    break
            else:
                found = f"<{iri.translate(_IRI_ESCAPES)}>"
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
            return f"{text}@{term[3]}"
        if term[2]:
            return f"{text}^^{self.iri(term[2])}"
        return text
