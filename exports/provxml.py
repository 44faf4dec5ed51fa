"""PROV-XML (W3C Note): written and read by the prov package (:mod:`.prov_package`)."""

from __future__ import annotations

import io
from typing import IO, TYPE_CHECKING

from exports.base import Format, ParsedDocument
from exports.prov_package import read_with_prov, write_with_prov
from prov_model.prov_records import ProvSyntaxError
from prov_model.vocab import PROV_NS

PROV_DOCUMENT = "{" + PROV_NS + "}document"

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
        content = stream.read()
        _check_root(content)
        return read_with_prov(io.BytesIO(content), "xml")


def _check_root(content: bytes) -> None:
    """The prov package reads any XML; a PROV-XML document is a ``prov:document``."""
    from lxml import etree

    try:
        root = etree.fromstring(content, parser=etree.XMLParser(resolve_entities=False))
    except etree.XMLSyntaxError as exc:
        raise ProvSyntaxError(f"not XML: {exc}") from None
    if root.tag != PROV_DOCUMENT:
        raise ProvSyntaxError(f"the root element is {root.tag}, not prov:document")
