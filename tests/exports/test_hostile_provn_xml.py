"""PROV-N and PROV-XML of names and values those formats cannot hold as they are: what can
be encoded is encoded, a record that cannot be written is left out and named, and the rest
is written (issue 23, item 7)."""

from __future__ import annotations

import pytest

from exports import ExportScope
from exports.api import write
from exports.source import ExportDocument
from keeper.stores.base import Store
from prov_model import map_batch
from prov_model.config import EntitySettings
from prov_model.delta import GraphDelta, Node
from prov_model.iri import percent_encoded
from tests.exports.conftest import prov_read

BAD_IRIS = ["http://x.org/a<b", "http://x.org/a\nb", "http://x.org/a\x00b"]


def _imported(iri: str, label: str = "fine") -> Node:
    return Node(iri, ("Entity",), {"iri": iri, "declared": ["entity"], "prov:label": label})


@pytest.mark.parametrize("fmt", ["provn", "xml"])
def test_a_stored_name_that_is_not_an_iri_is_encoded(store: Store, fmt: str) -> None:
    # Written as a store from before the import checks holds them (or another tool wrote).
    store.import_graph(GraphDelta([Node("http://x.org/a<", ("Namespace",), {"prefix": "bad"}),
                                   *map(_imported, BAD_IRIS), _imported("http://x.org/ok")],
                                  []))
    document = ExportDocument(store, ExportScope())
    data = write(document, fmt)
    assert data is not None
    parsed = prov_read(data, fmt)
    ids = {str(record.identifier.uri) for record in parsed.get_records()}
    assert ids == {"http://x.org/ok", *map(percent_encoded, BAD_IRIS)}
    assert document.left_out_count == 0


def test_a_value_xml_cannot_hold_leaves_out_its_record_only(store: Store) -> None:
    store.write(map_batch([
        {"type": "task", "task_id": "t1", "activity_id": "clean", "workflow_id": "w",
         "used": {"raw": "a captured value with a NUL \x00 and a \x01 inside it"},
         "generated": {"out": "a captured value that XML can hold, long enough"},
         "status": "FINISHED"},
    ], EntitySettings()))
    document = ExportDocument(store, ExportScope())
    data = write(document, "xml")
    assert data is not None and b"\x00" not in data
    parsed = prov_read(data, "xml")
    declared = {str(r.identifier.localpart) for r in parsed.get_records() if r.is_element()}
    kinds = {type(r).__name__ for r in parsed.get_records()}
    assert {"ProvActivity", "ProvUsage", "ProvGeneration"} <= kinds
    assert document.left_out_count == 1
    left = document.left_out[0]
    assert left.startswith("node 'e:") and "XML cannot hold" in left
    assert left.split("'")[1] not in declared and {"t1", "w", "plan:clean"} <= declared
    # PROV-N holds the value (escaped): nothing is left out there
    provn = ExportDocument(store, ExportScope())
    assert b"NUL" in (write(provn, "provn") or b"") and provn.left_out_count == 0
