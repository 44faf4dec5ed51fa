"""PROV-XML (W3C Note): written and read by the prov package (:mod:`.prov_package`)."""

from __future__ import annotations

from typing import IO, TYPE_CHECKING

from exports.base import Format, ParsedDocument
from exports.prov_package import read_with_prov, write_with_prov

if TYPE_CHECKING:
    from exports.source import ExportDocument


class ProvXmlFormat(Format):
    name = "xml"
    aliases = ("provx", "prov-xml")
    extensions = (".provx", ".xml")
    description = "PROV-XML"
    media_type = "application/provenance+xml"

    def write(self, document: ExportDocument, out: IO[bytes]) -> None:
        write_with_prov(document, out, "xml")

    def read(self, stream: IO[bytes], source: str) -> ParsedDocument:
        return read_with_prov(stream, "xml")
