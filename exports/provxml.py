"""PROV-XML (W3C Note): written and read by the prov package (:mod:`.prov_package`)."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from typing import IO, TYPE_CHECKING, Any

from exports.base import Format, ParsedDocument
from exports.prov_package import read_with_prov, write_with_prov
from prov_model.prov_records import ProvSyntaxError
from prov_model.vocab import PROV_NS

PROV_DOCUMENT = "{" + PROV_NS + "}document"
# What XML 1.0 cannot hold, escaped or not (names are percent-encoded before they get here).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

if TYPE_CHECKING:
    from exports.source import ExportDocument, Item


class ProvXmlFormat(Format):
    name = "xml"
    aliases = ("provx", "prov-xml")
    extensions = (".provx", ".xml")
    description = "PROV-XML"
    media_type = "application/provenance+xml"

    def write(self, document: ExportDocument, out: IO[bytes]) -> None:
        with document.refusing(xml_problem):
            write_with_prov(document, out, "xml")

    def read(self, stream: IO[bytes], source: str) -> ParsedDocument:
        content = stream.read()
        _check_root(content)
        return read_with_prov(io.BytesIO(content), "xml")


def xml_problem(item: Item) -> str | None:
    """Why a record (or captured node or edge) cannot be PROV-XML: a string value holding a
    character XML 1.0 cannot hold (a NUL, most controls), which no escape can write."""
    from prov_model.prov_records import Record

    if isinstance(item, Record):
        values: Iterable[Any] = (value for _, value, _, _ in item.attrs)
    else:
        values = item[2].values() if isinstance(item[2], dict) else item[3].values()
    for value in values:
        for text in value if isinstance(value, list) else (value,):
            if isinstance(text, str) and (bad := _NOT_XML.search(text)) is not None:
                return f"a value holds {bad.group()!r}, which XML cannot hold"
    return None


def _check_root(content: bytes) -> None:
    """The prov package reads any XML; a PROV-XML document is a ``prov:document``."""
    from lxml import etree

    try:
        root = etree.fromstring(content, parser=etree.XMLParser(resolve_entities=False))
    except etree.XMLSyntaxError as exc:
        raise ProvSyntaxError(f"not XML: {exc}") from None
    if root.tag != PROV_DOCUMENT:
        raise ProvSyntaxError(f"the root element is {root.tag}, not prov:document")
