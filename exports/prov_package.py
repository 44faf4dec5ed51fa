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

from prov_model.prov_records import ProvSyntaxError
from provgraph.errors import CapabilityMissingError

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
        doc = model.ProvDocument.deserialize(content=buffer.getvalue().decode(), format="json")
        text = doc.serialize(format=format, **options)
    out.write(text.encode() if isinstance(text, str) else text)


def read_with_prov(stream: IO[bytes], format: str, **options: Any) -> ParsedDocument:
    """Parse ``stream`` with the prov package, then read its PROV-JSON."""
    from exports.provjson import ProvJsonFormat

    model = _prov()
    content = stream.read()
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
    return ProvJsonFormat().read(io.BytesIO(text.encode()), "<prov>")
