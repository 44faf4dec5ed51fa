"""Valid PROV-O with full IRIs (no prefix for them) imports from Turtle and TriG as it does
from N-Triples (issue 23, item 8)."""

from __future__ import annotations

import io

import pytest

from exports import import_document
from keeper.stores.base import Store

TURTLE = b"""@prefix prov: <http://www.w3.org/ns/prov#> .
<http://x.org/e1> a prov:Entity ;
    prov:wasDerivedFrom <http://example.com/data/file.csv> .
"""
TRIG = b"""@prefix prov: <http://www.w3.org/ns/prov#> .
<http://x.org/g1> {
    <http://x.org/e1> a prov:Entity ;
        prov:wasDerivedFrom <http://example.com/data/file.csv> .
}
"""
NT = (b"<http://x.org/e1> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
      b"<http://www.w3.org/ns/prov#Entity> .\n"
      b"<http://x.org/e1> <http://www.w3.org/ns/prov#wasDerivedFrom> "
      b"<http://example.com/data/file.csv> .\n")


@pytest.mark.parametrize("data,fmt", [(TURTLE, "ttl"), (TRIG, "trig"), (NT, "nt")])
def test_full_iris_import_in_every_rdf_syntax(store: Store, data: bytes, fmt: str) -> None:
    result = import_document(store, io.BytesIO(data), fmt, name=f"full.{fmt}")
    assert result.edges == 1
    ids = {i for label in ("Entity",) for i in store.label_ids(label)}
    assert any(i.endswith("http://x.org/e1") for i in ids)
    assert any(i.endswith("http://example.com/data/file.csv") for i in ids)
