"""The diamond workflow's export holds exactly what was captured; its RDF answers an
upstream-lineage question as the stores' lineage queries do; exports are deterministic."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
import rdflib
import rdflib.compare

from exports import ExportScope, export
from keeper.stores.base import Store
from prov_model.captured import instance_iri
from prov_model.entities import CONTENT_ID_PREFIX
from tests.exports.conftest import prov_read
from tests.exports.diamond import OUT, T0, TASKS, WORKFLOW, write_diamond

NS = "https://provgraph.dev/id/"
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # rdflib's JSON-LD parser
PROV = "http://www.w3.org/ns/prov#"


def iri(node_id: str) -> str:
    return instance_iri(NS, node_id)


def expand(doc: dict[str, Any], qname: str) -> str:
    prefix, _, local = qname.partition(":")
    return doc["prefix"][prefix] + local


def out_entity(store: Store) -> str:
    hits = [n for n in store.find_nodes("Entity") if n["props"].get("value") == OUT]
    assert len(hits) == 1
    return str(hits[0]["id"])


def test_workflow_export_holds_the_captured_records(store: Store) -> None:
    write_diamond(store)
    doc = orjson.loads(export(store, ExportScope.workflow(WORKFLOW), "json") or b"")
    activities = {expand(doc, k): v for k, v in doc["activity"].items()}
    assert set(activities) == {iri(WORKFLOW), *(iri(t) for t in TASKS)}
    split = activities[iri("split")]
    assert split["prov:startTime"] == "2026-09-21T14:13:20.000000Z"
    assert split["prov:label"] == "split"
    assert split["provgraph:tags"] == ["diamond", "split"]
    assert expand(doc, split["provone:wasPartOf"]["$"]) == iri(WORKFLOW)
    values = {v.get("prov:value") for v in doc["entity"].values()}
    assert {"/data/diamond/input.csv", OUT, 2} <= values
    plans = [v for v in doc["entity"].values()
             if v.get("prov:type", {}).get("$") == "prov:Plan"]
    assert len(plans) == 4
    usages = sorted((expand(doc, u["prov:activity"]), u["prov:role"])
                    for u in doc["used"].values())
    assert usages == sorted((iri(t), role) for t, (used, _, _) in TASKS.items()
                            for role in used)
    generations = {(expand(doc, g["prov:activity"]), g["prov:role"]): g["prov:time"]
                   for g in doc["wasGeneratedBy"].values()}
    assert generations[(iri("join"), "out")] == "2026-09-21T14:13:23.500000Z"
    assert len(generations) == 4
    informed = {(expand(doc, w["prov:informed"]), expand(doc, w["prov:informant"]))
                for w in doc["wasInformedBy"].values()}
    assert informed == {(iri("left"), iri("split")), (iri("right"), iri("split")),
                        (iri("join"), iri("left")), (iri("join"), iri("right"))}
    agents = [expand(doc, k) for k in doc["agent"]]
    assert agents == [iri("person:alice")]
    assert T0  # the times above are T0 + offsets, written in UTC


def test_sparql_upstream_equals_the_store_lineage(store: Store) -> None:
    write_diamond(store)
    target = out_entity(store)
    graph = rdflib.Graph().parse(data=export(store, ExportScope(), "ttl"), format="turtle")
    query = ("PREFIX prov: <http://www.w3.org/ns/prov#> SELECT DISTINCT ?n WHERE { ?start "
             "(prov:used|prov:wasGeneratedBy|prov:wasInformedBy)+ ?n }")
    rows = graph.query(query, initBindings={"start": rdflib.URIRef(iri(target))})
    sparql = {str(row[0]) for row in rows}
    cypher = {iri(hit["id"]) for hit in store.upstream(target, depth=50)}
    assert sparql == cypher
    assert iri("split") in sparql and any(CONTENT_ID_PREFIX in s for s in sparql)


def test_turtle_and_ntriples_are_the_same_graph(store: Store) -> None:
    write_diamond(store)
    ttl = rdflib.Graph().parse(data=export(store, ExportScope(), "ttl"), format="turtle")
    nt = rdflib.Graph().parse(data=export(store, ExportScope(), "nt"), format="nt")
    jsonld = rdflib.Graph().parse(data=export(store, ExportScope(), "rdf-jsonld"), format="json-ld")
    assert len(ttl) > 100
    assert rdflib.compare.isomorphic(ttl, nt)
    assert rdflib.compare.isomorphic(ttl, jsonld)
    usage = rdflib.URIRef(PROV + "qualifiedUsage")
    roles = {str(o) for s in ttl.subjects(usage, None) for q in ttl.objects(s, usage)
             for o in ttl.objects(q, rdflib.URIRef(PROV + "hadRole"))}
    assert roles == {"path", "parts", "x", "y", "z"}


@pytest.mark.parametrize("fmt", ["json", "jsonld", "ttl", "nt", "trig", "rdf-jsonld",
                                 "provn", "xml"])
def test_two_exports_are_byte_identical(store: Store, fmt: str) -> None:
    write_diamond(store)
    first = export(store, ExportScope.workflow(WORKFLOW), fmt)
    assert first and first == export(store, ExportScope.workflow(WORKFLOW), fmt)


@pytest.mark.integration
def test_both_stores_export_the_same_bytes(tmp_path: Any, neo4j_store: Any) -> None:
    from keeper.stores.embedded import EmbeddedStore

    embedded = EmbeddedStore(tmp_path / "e")
    neo4j_store.clear()
    write_diamond(embedded)
    write_diamond(neo4j_store)
    for fmt in ("json", "ttl", "jsonld"):
        for scope in (ExportScope(), ExportScope.workflow(WORKFLOW)):
            assert export(embedded, scope, fmt) == export(neo4j_store, scope, fmt), fmt
    neo4j_store.clear()


def test_prov_reads_the_workflow_export(store: Store) -> None:
    write_diamond(store)
    doc = prov_read(export(store, ExportScope.workflow(WORKFLOW), "json") or b"")
    kinds = sorted(type(r).__name__ for r in doc.get_records())
    assert kinds.count("ProvActivity") == 5
    assert kinds.count("ProvUsage") == 6
