"""The prov package (PyPI ``prov``) behind the formats provgraph does not serialize itself.

* Writing PROV-N and PROV-XML: provgraph's PROV-JSON of the scope is read by the prov
  package and serialized by it (so the document says exactly what the PROV-JSON says).
* Reading PROV-N, PROV-XML and the RDF formats: the prov package parses the document and
  writes its PROV-JSON, which provgraph's PROV-JSON reader turns into records.

Neither streams: the whole document is in memory, as prov's model holds it. Installed with
``pip install 'provgraph[prov]'`` (plus rdflib, which prov brings, for RDF).
"""

from __future__ import annotations

import io
import logging
import warnings
from typing import IO, TYPE_CHECKING, Any

import orjson

from prov_model.prov_records import ProvSyntaxError, Record
from prov_model.prov_terms import KIND_BY_NAME
from provgraph.core.errors import CapabilityMissingError, DocumentError

if TYPE_CHECKING:
    from exports.base import ParsedDocument
    from exports.source import ExportDocument

log = logging.getLogger(__name__)


def _prov() -> Any:
    try:
        import prov.model
    except ImportError as exc:
        raise CapabilityMissingError(
            f"this format needs the prov package ({exc.name}): pip install 'provgraph[prov]'"
        ) from None
    return prov.model


def write_with_prov(document: ExportDocument, out: IO[bytes], format: str,
                    **options: Any) -> None:
    """Serialize ``document`` with the prov package (``format``: ``provn`` or ``xml``)."""
    from exports.provjson import ProvJsonFormat

    model = _prov()
    buffer = io.BytesIO()
    ProvJsonFormat().write(document, buffer)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            doc = model.ProvDocument.deserialize(content=buffer.getvalue().decode(),
                                                 format="json")
            text = doc.serialize(format=format, **options)
        except Exception as exc:  # what the checks before did not foresee: one line
            first = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
            raise DocumentError(f"the prov package cannot write this scope as {format}: "
                                f"{first or type(exc).__name__}") from None
    out.write(text.encode() if isinstance(text, str) else text)


def read_with_prov(stream: IO[bytes], format: str, **options: Any) -> ParsedDocument:
    """Parse ``stream`` with the prov package, then read its PROV-JSON."""
    from exports.provjson import ProvJsonFormat

    model = _prov()
    content = stream.read()
    if format == "rdf":  # every syntax: Turtle and TriG may write IRIs in full too
        content = _prefixed(content, options.get("rdf_format", "turtle"))
        options = {**options, "rdf_format": "trig"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            doc = model.ProvDocument.deserialize(
                content=content.decode("utf-8") if isinstance(content, bytes) else content,
                format=format, **options)
        except UnicodeDecodeError as exc:
            raise ProvSyntaxError(f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
        except Exception as exc:  # prov and rdflib raise many kinds; all mean "not valid"
            message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ProvSyntaxError(message) from None
        text = doc.serialize(format="json")
    parsed = ProvJsonFormat().read(io.BytesIO(text.encode()), "<prov>")
    if format == "rdf":
        parsed.records = iter(without_implied(list(parsed.records)))
    return parsed


def _prefixed(content: bytes, rdf_format: str) -> bytes:
    """The RDF of ``content`` as TriG with a prefix for every namespace it uses: the prov
    package's PROV-O reader needs qualified names, which N-Triples and expanded JSON-LD
    lack, and Turtle and TriG need not give (an IRI may be written in full)."""
    try:
        import rdflib
    except ImportError as exc:
        raise CapabilityMissingError(f"reading RDF needs rdflib ({exc.name}): "
                                     "pip install 'provgraph[prov]'") from None
    from prov_model.namespaces import PrefixMap

    if rdf_format == "json-ld":
        from exports.jsonld_contexts import check_inline

        try:
            check_inline(orjson.loads(content))
        except orjson.JSONDecodeError as exc:
            raise ProvSyntaxError(f"not JSON: {exc}") from None
    graph = rdflib.Dataset()
    try:
        graph.parse(data=content, format=rdf_format)
    except Exception as exc:
        raise ProvSyntaxError(str(exc).strip().splitlines()[0] if str(exc).strip()
                              else type(exc).__name__) from None
    prefixes = PrefixMap()
    for quad in graph.quads():
        for term in quad:
            if isinstance(term, rdflib.URIRef):
                prefixes.qname(str(term))
    for prefix, uri in prefixes.by_prefix.items():
        graph.bind(prefix, rdflib.URIRef(uri), override=False)
    text: str = graph.serialize(format="trig")
    return text.encode()


def without_implied(records: list[Record]) -> list[Record]:
    """PROV-O states a qualified relation twice: its starting-point triple
    (``<a> prov:used <e>``) and its qualified pattern. The prov package reads the first as a
    relation of its own; drop such a bare relation (no identifier, no other argument, no
    attribute) when a richer one of the same kind joins the same two nodes."""
    richer: set[tuple[str, str | None, str | None, str | None]] = set()
    bare: list[Record] = []
    for record in records:
        kind = KIND_BY_NAME.get(record.kind)
        if kind is None or kind.is_element:
            continue
        key = (record.kind, record.args.get(kind.src.name), record.args.get(kind.dst.name),
               record.bundle)
        if record.id is None and not record.attrs and set(record.args) <= {
                kind.src.name, kind.dst.name}:
            bare.append(record)
        else:
            richer.add(key)
    drop = {id(r) for r in bare
            if (r.kind, r.args.get(KIND_BY_NAME[r.kind].src.name),
                r.args.get(KIND_BY_NAME[r.kind].dst.name), r.bundle) in richer}
    return [r for r in records if id(r) not in drop]
