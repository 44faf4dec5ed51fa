"""PROV-N (W3C Recommendation): written and read by the prov package (:mod:`.prov_package`)."""

from __future__ import annotations

from typing import IO, TYPE_CHECKING

from exports.base import Format, ParsedDocument
from exports.prov_package import read_with_prov, write_with_prov

if TYPE_CHECKING:
    from exports.source import ExportDocument


class ProvNFormat(Format):
    name = "provn"
    aliases = ("prov-n",)
    extensions = (".provn",)
    description = "PROV-N"
    media_type = "text/provenance-notation"

    def write(self, document: ExportDocument, out: IO[bytes]) -> None:
        write_with_prov(document, out, "provn")

    def read(self, stream: IO[bytes], source: str) -> ParsedDocument:
        return read_with_prov(stream, "provn")
