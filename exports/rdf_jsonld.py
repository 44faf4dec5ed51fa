"""PROV-O as JSON-LD (expanded form: every IRI in full, one node object per subject, bundles
as named graphs); a streaming writer. Reading goes through the prov package (rdflib)."""

from __future__ import annotations

from typing import IO, TYPE_CHECKING, Any

import orjson

from exports.base import Format, ParsedDocument
from exports.prov_package import read_with_prov
from exports.rdf_common import RDF_TYPE, Group, Statements, Term
from prov_model.prov_records import Record

if TYPE_CHECKING:
    from exports.source import Container, ExportDocument

_dumps = orjson.dumps


def _node_ref(term: Term) -> str:
    return term[1] if term[0] == "i" else "_:" + term[1]


def _object(term: Term) -> dict[str, Any]:
    if term[0] != "l":
        return {"@id": _node_ref(term)}
    if term[3]:
        return {"@value": term[1], "@language": term[3]}
    if term[2]:
        return {"@value": term[1], "@type": term[2]}
    return {"@value": term[1]}


def node_object(group: Group) -> dict[str, Any]:
    subject, pairs = group
    obj: dict[str, Any] = {"@id": _node_ref(subject)}
    for prop, term in pairs:
        if prop == RDF_TYPE and term[0] == "i":
            obj.setdefault("@type", []).append(term[1])
        else:
            obj.setdefault(prop, []).append(_object(term))
    return obj


class RdfJsonLdFormat(Format):
    name = "rdf-jsonld"
    aliases = ("prov-o-jsonld",)
    extensions = (".rdf.jsonld",)
    description = "PROV-O as JSON-LD"
    media_type = "application/ld+json"

    def write(self, document: ExportDocument, out: IO[bytes]) -> None:
        statements = Statements()
        out.write(b"[")
        first = self._items(document, document.document(), statements, out, True)
        for container in document.bundles():
            out.write(b"" if first else b",")
            out.write(b'{"@id":' + _dumps(container.bundle) + b',"@graph":[')
            self._items(document, container, statements, out, True)
            out.write(b"]}")
            first = False
            for group in statements.of(Record("bundle", container.bundle)):
                out.write(b"," + _dumps(node_object(group)))
        out.write(b"]\n")

    def _items(self, document: ExportDocument, container: Container, statements: Statements,
               out: IO[bytes], first: bool) -> bool:
        for _kind, records in document.sections(container):
            for record in records:
                for group in statements.of(record):
                    out.write((b"" if first else b",") + _dumps(node_object(group)))
                    first = False
        return first

    def read(self, stream: IO[bytes], source: str) -> ParsedDocument:
        return read_with_prov(stream, "rdf", rdf_format="json-ld")
