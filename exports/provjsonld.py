"""PROV-JSONLD (W3C Member Submission, 2024): a flat ``@graph`` of one object per statement
with the openprovenance context; the streamable JSON form.

Writer: ``{"@context": [<prefixes>, <context URL>], "@graph": [...]}``; each statement is
encoded (orjson) and written as it comes; a bundle is a nested
``{"@type": "Bundle", "@id": ..., "@graph": [...]}``. The prefixes are those the store knows
when the export starts (an IRI outside them is written in full, which JSON-LD allows).
The submission has no term for ``mentionOf``: such a document cannot be written here.
Reading goes through the prov package's PROV-JSONLD reader.
"""

from __future__ import annotations

from typing import IO, TYPE_CHECKING, Any, Final

import orjson

from exports.base import Format, ParsedDocument
from exports.config import NAME_CACHE
from exports.prov_package import read_with_prov
from prov_model.prov_records import Record
from prov_model.prov_terms import KIND_BY_NAME, QUALIFIED_NAME_TYPES, TIME
from prov_model.vocab import PROV_NS
from provgraph.core.errors import DocumentError

if TYPE_CHECKING:
    from exports.source import Container, ExportDocument

CONTEXT_URL: Final = "https://openprovenance.org/prov-jsonld/context.jsonld"
# record kind -> the submission's @type term
TYPE_TERMS: Final = {
    "entity": "Entity", "activity": "Activity", "agent": "Agent",
    "wasGeneratedBy": "Generation", "used": "Usage", "wasInformedBy": "Communication",
    "wasStartedBy": "Start", "wasEndedBy": "End", "wasInvalidatedBy": "Invalidation",
    "wasDerivedFrom": "Derivation", "wasAttributedTo": "Attribution",
    "wasAssociatedWith": "Association", "actedOnBehalfOf": "Delegation",
    "wasInfluencedBy": "Influence", "alternateOf": "Alternate",
    "specializationOf": "Specialization", "hadMember": "Membership",
}
# PROV attributes with a bare term (prov:value only on entities)
SPECIAL_TERMS: Final = {PROV_NS + "type": "type", PROV_NS + "label": "label",
                        PROV_NS + "location": "location", PROV_NS + "role": "role",
                        PROV_NS + "value": "value"}
ID_TYPED: Final = frozenset({"type", "role", "location"})
_dumps = orjson.dumps


class ProvJsonLdFormat(Format):
    name = "jsonld"
    aliases = ("prov-jsonld", "provjsonld")
    extensions = (".jsonld",)
    description = "PROV-JSONLD (W3C Member Submission 2024)"
    media_type = "application/ld+json"

    def write(self, document: ExportDocument, out: IO[bytes]) -> None:
        prefixes = document.prefixes
        context = {p: uri for p, uri in sorted(prefixes.by_prefix.items())}
        self._known = sorted(((uri, p) for p, uri in context.items()),
                             key=lambda item: -len(item[0]))
        self._names: dict[str, str] = {}
        out.write(b'{"@context":' + _dumps([context, CONTEXT_URL]) + b',"@graph":[')
        first = self._graph(document, document.document(), out, True)
        for container in document.bundles():
            out.write(b"" if first else b",")
            out.write(b'{"@type":"Bundle","@id":' + _dumps(self._name(container.bundle or ""))
                      + b',"@context":[],"@graph":[')
            self._graph(document, container, out, True)
            out.write(b"]}")
            first = False
        out.write(b"]}\n")

    def _name(self, iri: str) -> str:
        found = self._names.get(iri)
        if found is None:
            found = iri
            for uri, prefix in self._known:
                if iri.startswith(uri) and len(iri) > len(uri):
                    found = f"{prefix}:{iri[len(uri):]}"
                    break
            if len(self._names) < NAME_CACHE:
                self._names[iri] = found
        return found

    def _graph(self, document: ExportDocument, container: Container, out: IO[bytes],
               first: bool) -> bool:
        parts: list[bytes] = []
        for _kind, records in document.sections(container):
            for record in records:
                parts.append(_dumps(self.statement(record)))
                if len(parts) >= 512:
                    out.write((b"" if first else b",") + b",".join(parts))
                    first = False
                    parts.clear()
        if parts:
            out.write((b"" if first else b",") + b",".join(parts))
            first = False
        return first

    def statement(self, record: Record) -> dict[str, Any]:
        term = TYPE_TERMS.get(record.kind)
        if term is None:
            raise DocumentError("PROV-JSONLD has no term for mentionOf: export this scope "
                                "as PROV-JSON, PROV-N or RDF instead")
        name = self._name
        obj: dict[str, Any] = {"@type": term}
        if record.id is not None:
            obj["@id"] = name(record.id)
        for arg in KIND_BY_NAME[record.kind].args:
            given = record.args.get(arg.name)
            if given is not None:
                obj[arg.name[5:]] = given if arg.kind == TIME else name(given)
        for key, value, datatype, lang in record.attrs:
            attr = SPECIAL_TERMS.get(key)
            if attr == "value" and record.kind != "entity":
                attr = None
            attr = attr or name(key)
            obj.setdefault(attr, []).append(self.value(attr, value, datatype, lang))
        return obj

    def value(self, term: str, value: Any, datatype: str | None, lang: str | None) -> Any:
        if datatype in QUALIFIED_NAME_TYPES:
            text = self._name(str(value))
            return text if term in ID_TYPED else {"@value": text, "@type": "xsd:QName"}
        if lang is not None:
            return {"@value": value, "@language": lang}
        if datatype is not None:
            return {"@value": value, "@type": datatype if "/" not in datatype
                    else self._name(datatype)}
        if type(value) is bool:
            return {"@value": "true" if value else "false", "@type": "xsd:boolean"}
        if type(value) is int:
            return {"@value": str(value), "@type": "xsd:int" if -2**31 <= value < 2**31
                    else "xsd:long" if -2**63 <= value < 2**63 else "xsd:integer"}
        if type(value) is float:
            return {"@value": repr(value), "@type": "xsd:double"}
        return {"@value": value}

    def read(self, stream: IO[bytes], source: str) -> ParsedDocument:
        return read_with_prov(stream, "jsonld")
