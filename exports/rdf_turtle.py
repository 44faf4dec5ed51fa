"""PROV-O as Turtle, TriG (bundles as named graphs) and N-Triples: streaming writers.

Statements come from :mod:`exports.rdf_common`; each subject's statements are written as
one block (Turtle, TriG) or one line per triple (N-Triples) as soon as they are made. The
prefixes of Turtle and TriG are declared first: those the store knows (the built-in ones,
provgraph's two, the namespaces recorded on import); an IRI outside them is written in full.
Reading these formats goes through the prov package's PROV-O reader (rdflib).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import IO, TYPE_CHECKING, ClassVar, cast

from exports.base import Format, ParsedDocument, Unwritable
from exports.prov_package import read_with_prov
from exports.rdf_captured import CapturedTurtle
from exports.rdf_common import Group, Statements
from exports.rdf_terms import TermWriter, declared, quote
from prov_model.prov_records import Record
from prov_model.prov_terms import KIND_BY_NAME

if TYPE_CHECKING:
    from exports.source import CapturedEdge, CapturedNode, Container, ExportDocument

def _records(document: ExportDocument, container: Container) -> Iterator[Record]:
    for _kind, records in document.sections(container):
        yield from records


class TurtleFormat(Format):
    name = "ttl"
    aliases: ClassVar[tuple[str, ...]] = ("turtle",)
    extensions = (".ttl",)
    description = "PROV-O as Turtle"
    media_type = "text/turtle"
    rdf_format = "turtle"
    graphs = False

    def write(self, document: ExportDocument, out: IO[bytes]) -> None:
        terms = TermWriter(document.prefixes)
        write = out.write
        for prefix, uri in declared(document.prefixes):
            write(f"@prefix {prefix}: <{uri}> .\n".encode())
        write(b"\n")
        statements = Statements()
        self._block(document, document.document(), statements, terms, write, "")
        for container in document.bundles():
            bundle = container.bundle or ""
            if self.graphs:
                write(f"{terms.iri(bundle)} {{\n".encode())
            self._block(document, container, statements, terms, write,
                        "    " if self.graphs else "")
            if self.graphs:
                write(b"}\n")
            self._emit(statements.of(_bundle(bundle)), terms, write, "")

    def _block(self, document: ExportDocument, container: Container, statements: Statements,
               terms: TermWriter, write: Callable[[bytes], object], indent: str) -> None:
        parts: list[str] = []
        captured = CapturedTurtle(terms, statements, document.mapper, quote)
        node, edge = captured.node, captured.edge
        for kind, items in document.raw_sections(container):
            element = KIND_BY_NAME[kind].is_element
            for item in items:
                try:  # a record's text is made whole before any of it is kept
                    if isinstance(item, Record):
                        parts.append("".join(_group_text(group, terms, indent)
                                             for group in statements.of(item)))
                    elif element:
                        parts.append(node(*cast("CapturedNode", item), indent))
                    else:
                        parts.append(edge(*cast("CapturedEdge", item), indent))
                except Unwritable as exc:
                    document.leave_out(item, str(exc))
                if len(parts) >= 512:
                    write("".join(parts).encode())
                    parts.clear()
        write("".join(parts).encode())

    def _emit(self, groups: Iterable[Group], terms: TermWriter,
              write: Callable[[bytes], object], indent: str) -> None:
        write("".join(_group_text(g, terms, indent) for g in groups).encode())

    def read(self, stream: IO[bytes], source: str) -> ParsedDocument:
        return read_with_prov(stream, "rdf", rdf_format=self.rdf_format)


def _bundle(bundle: str) -> Record:
    return Record("bundle", bundle)


def _group_text(group: Group, terms: TermWriter, indent: str) -> str:
    subject, pairs = group
    iri, term = terms.iri, terms.term
    body = f" ;\n{indent}    ".join(f"{iri(p)} {term(o)}" for p, o in pairs)
    return f"{indent}{term(subject)} {body} .\n"


class TriGFormat(TurtleFormat):
    name = "trig"
    aliases = ("prov-o-trig",)
    extensions = (".trig",)
    description = "PROV-O as TriG (bundles as named graphs)"
    media_type = "application/trig"
    rdf_format = "trig"
    graphs = True


class NTriplesFormat(Format):
    name = "nt"
    aliases = ("ntriples", "n-triples")
    extensions = (".nt",)
    description = "PROV-O as N-Triples"
    media_type = "application/n-triples"

    def write(self, document: ExportDocument, out: IO[bytes]) -> None:
        terms = TermWriter(None)
        statements = Statements()
        self._lines(document, document.document(), statements, terms, out)
        for container in document.bundles():
            self._lines(document, container, statements, terms, out)
            out.write(_lines(statements.of(_bundle(container.bundle or "")), terms).encode())

    def _lines(self, document: ExportDocument, container: Container, statements: Statements,
               terms: TermWriter, out: IO[bytes]) -> None:
        parts: list[str] = []
        for record in _records(document, container):
            try:
                parts.append(_lines(statements.of(record), terms))
            except Unwritable as exc:
                document.leave_out(record, str(exc))
            if len(parts) >= 512:
                out.write("".join(parts).encode())
                parts.clear()
        out.write("".join(parts).encode())

    def read(self, stream: IO[bytes], source: str) -> ParsedDocument:
        return read_with_prov(stream, "rdf", rdf_format="nt")


def _lines(groups: Iterable[Group], terms: TermWriter) -> str:
    iri, term = terms.iri, terms.term
    out: list[str] = []
    for subject, pairs in groups:
        s = term(subject)
        out.extend(f"{s} {iri(p)} {term(o)} .\n" for p, o in pairs)
    return "".join(out)
