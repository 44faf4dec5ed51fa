"""Hostile names and the RDF writers: nothing an imported document carries adds a statement
to a later export (issue 23, item 2). Names are checked at import (IRIs: RFC 3987
characters; language tags: BCP 47) and escaped again on output."""

from __future__ import annotations

import io

import orjson
import pytest
import rdflib

from exports import ExportScope, export, import_document
from keeper.stores.base import Store
from prov_model.delta import GraphDelta, Node
from prov_model.iri import percent_encoded
from provgraph.core.errors import DocumentError

EVIL_IRI = "http://evil.example/> . <s1> <p1> <o1> . @prefix zz: <http://z/"
EVIL_LANG = 'en .\n<s2> <p2> "o2" .'


def _doc(prefix_iri: str = "http://example.org/", lang: str = "en") -> bytes:
    return orjson.dumps({
        "prefix": {"ex": prefix_iri},
        "entity": {"ex:e1": {"prov:label": {"$": "hello", "lang": lang}}},
    })


@pytest.mark.parametrize("data,problem", [
    (_doc(prefix_iri=EVIL_IRI), "holds '>'"),
    (_doc(lang=EVIL_LANG), "not a BCP 47 tag"),
    (orjson.dumps({"entity": {"http://x.org/a b": {}}}), "holds ' '"),
])
def test_a_name_that_is_not_an_iri_is_refused_at_import(store: Store, data: bytes,
                                                         problem: str) -> None:
    before = store.counts()
    with pytest.raises(DocumentError) as caught:
        import_document(store, io.BytesIO(data), "json", name="evil.json")
    message = str(caught.value)
    assert message.startswith("evil.json: not valid PROV-JSON")
    assert problem in message and "\n" not in message and len(message) < 300
    assert store.counts() == before


def _graph(data: bytes, fmt: str) -> rdflib.Dataset:
    graph = rdflib.Dataset()
    graph.parse(data=data, format={"ttl": "turtle", "trig": "trig", "nt": "nt"}[fmt])
    return graph


@pytest.mark.parametrize("fmt", ["ttl", "trig", "nt"])
def test_an_export_never_holds_a_statement_that_is_not_in_the_store(store: Store,
                                                                     fmt: str) -> None:
    # A store written before names were checked (or by another tool) holds them already:
    # the writers escape them, or leave out what they cannot write.
    store.import_graph(GraphDelta([
        Node(EVIL_IRI, ("Namespace",), {"prefix": "evil"}),
        Node(EVIL_IRI + "e1", ("Entity",), {"iri": EVIL_IRI + "e1", "declared": ["entity"]}),
        Node("http://ok.example/e2", ("Entity",), {
            "iri": "http://ok.example/e2", "declared": ["entity"],
            "prov:label": ["hello"], "prov:label^^": ["@" + EVIL_LANG]}),
        Node("http://ok.example/e3", ("Entity",), {
            "iri": "http://ok.example/e3", "declared": ["entity"], "prov:label": "fine"}),
    ], []))
    data = export(store, ExportScope(), fmt)
    assert data is not None
    graph = _graph(data, fmt)
    terms = {str(term) for quad in graph.quads() for term in quad[:3]}
    assert not {"s1", "p1", "o1", "s2", "p2", "o2"} & {t.rsplit("/", 1)[-1] for t in terms}
    assert "http://ok.example/e3" in terms
    subjects = {str(q[0]) for q in graph.quads()}
    # e1 is written with its IRI percent-encoded; e2 cannot be written (its language tag)
    assert subjects == {percent_encoded(EVIL_IRI + "e1"), "http://ok.example/e3"}


def test_a_record_a_format_cannot_hold_is_named_and_the_rest_written(store: Store) -> None:
    from exports.api import write
    from exports.source import ExportDocument

    store.import_graph(GraphDelta([
        Node("http://ok.example/e2", ("Entity",), {
            "iri": "http://ok.example/e2", "declared": ["entity"],
            "prov:label": ["hello"], "prov:label^^": ["@" + EVIL_LANG]}),
        Node("http://ok.example/e3", ("Entity",), {
            "iri": "http://ok.example/e3", "declared": ["entity"]}),
    ], []))
    document = ExportDocument(store, ExportScope())
    data = write(document, "ttl")
    assert data is not None and b"<http://ok.example/e3>" in data and b"e2" not in data
    assert document.left_out_count == 1
    assert document.left_out[0].startswith("entity 'http://ok.example/e2': language tag")
