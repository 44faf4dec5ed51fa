"""PROV records <-> graph (pure): attribute encoding, absent arguments, bundles, identity."""

from __future__ import annotations

import pytest

from prov_model.captured import CaptureMapper, instance_iri, xsd_datetime
from prov_model.imported import (
    ANCHOR_PREFIX,
    ImportBuilder,
    decode_attrs,
    element_records,
    encode_attrs,
    relation_record,
)
from prov_model.namespaces import PrefixMap
from prov_model.prov_records import ProvSyntaxError, Record

EX = "http://example.org/"
P = "http://www.w3.org/ns/prov#"


@pytest.mark.parametrize("attrs", [
    [(EX + "n", 1, None, None), (EX + "n", 2, None, None)],
    [(EX + "s", "a", None, None)],
    [(P + "label", "hi", None, None), (P + "label", "bye", None, "en"),
     (P + "label", "salut", "prov:InternationalizedString", "fr")],
    [(EX + "m", 1, None, None), (EX + "m", "1", "xsd:long", None), (EX + "m", True, None, None),
     (EX + "m", 2.5, None, None), (EX + "m", EX + "q", "prov:QUALIFIED_NAME", None)],
    [(EX + "big", 2**70, None, None)],
])
def test_attributes_round_trip_through_properties(attrs: list) -> None:  # type: ignore[type-arg]
    props: dict = {}  # type: ignore[type-arg]
    encode_attrs(attrs, props)
    assert all(isinstance(v, (str, int, float, bool, list)) for v in props.values())
    for value in props.values():
        if isinstance(value, list):
            assert len({type(item) for item in value}) == 1  # Neo4j lists are homogeneous
    assert sorted(map(repr, decode_attrs(props))) == sorted(map(repr, attrs))


def test_plain_values_are_stored_as_they_are() -> None:
    props: dict = {}  # type: ignore[type-arg]
    encode_attrs([(P + "label", "x", None, None), (EX + "n", 3, None, None),
                  (EX + "n", 4, None, None)], props)
    assert props == {"prov:label": "x", EX + "n": [3, 4]}


def test_absent_arguments_are_self_loops_or_an_anchor() -> None:
    builder = ImportBuilder()
    builder.add(Record("used", None, {"prov:entity": EX + "e"}))
    builder.add(Record("wasStartedBy", EX + "s", {}))
    delta = builder.build()
    used, start = sorted(delta.edges, key=lambda e: e.type)
    assert (used.type, used.src, used.dst) == ("USED", EX + "e", EX + "e")
    assert used.props["src_absent"] is True and "dst_absent" not in used.props
    assert start.src == start.dst and start.src.startswith(ANCHOR_PREFIX)
    assert relation_record(used.type, used.src, used.dst, used.props).args == {
        "prov:entity": EX + "e"}
    nodes = {n.id: n for n in delta.nodes}
    assert nodes[EX + "e"].labels == ("Entity",) and "declared" not in nodes[EX + "e"].props


def test_bundles_scope_their_names() -> None:
    builder = ImportBuilder()
    builder.add(Record("bundle", EX + "b1"))
    builder.add(Record("entity", EX + "x", bundle=EX + "b1"))
    builder.add(Record("activity", EX + "x", {"prov:startTime": "2011-11-16T16:05:00"}))
    nodes = {n.id: n for n in builder.build().nodes}
    inner = nodes[f"{EX}b1 {EX}x"]
    assert inner.labels == ("Entity",) and inner.props["bundle"] == EX + "b1"
    outer = nodes[EX + "x"]
    assert outer.labels == ("Activity",) and outer.props["started_at"] == 1321459500.0
    [record] = element_records(outer.id, outer.props)
    assert record.args == {"prov:startTime": "2011-11-16T16:05:00"}


def test_the_same_relation_twice_is_one_edge_and_two_differing_are_two() -> None:
    builder = ImportBuilder()
    use = {"prov:activity": EX + "a", "prov:entity": EX + "e"}
    builder.add(Record("used", EX + "u", dict(use)))
    builder.add(Record("used", EX + "u", dict(use)))
    builder.add(Record("used", EX + "u", {**use, "prov:time": "2012-01-01T00:00:00Z"}))
    edges = builder.build().edges
    assert len(edges) == 2 and len({e.props["rid"] for e in edges}) == 2


def test_bad_records_are_refused() -> None:
    with pytest.raises(ProvSyntaxError, match="needs an identifier"):
        ImportBuilder().add(Record("entity", None))
    with pytest.raises(ProvSyntaxError, match="unknown record type"):
        ImportBuilder().add(Record("wasEatenBy", None))
    with pytest.raises(ProvSyntaxError, match="has no argument prov:plan"):
        ImportBuilder().add(Record("used", None, {"prov:plan": EX + "p"}))


def test_prefix_map_reuses_and_invents_prefixes() -> None:
    prefixes = PrefixMap({"ex": EX})
    assert prefixes.qname(EX + "a") == "ex:a"
    assert prefixes.qname("urn:other:thing") == "ns1:thing"
    assert prefixes.by_prefix["ns1"] == "urn:other:"
    assert prefixes.expand("ex:b") == EX + "b" and prefixes.expand("zz:b") is None


def test_captured_nodes_become_prov_records() -> None:
    mapper = CaptureMapper("https://lab.example/id/")
    record = mapper.node_record("t 1", ("Activity", "Task"), {
        "activity_id": "train", "started_at": 0.25, "status": "FINISHED", "tags": ["a", "b"]},
        part_of=["wf"])
    assert record is not None and record.id == "https://lab.example/id/t%201"
    assert record.args == {"prov:startTime": "1970-01-01T00:00:00.250000Z"}
    assert (P + "label", "train", None, None) in record.attrs
    assert [a[1] for a in record.attrs if a[0].endswith("#tags")] == ["a", "b"]
    assert ("http://purl.dataone.org/provone/2015/01/15/ontology#wasPartOf",
            "https://lab.example/id/wf", "prov:QUALIFIED_NAME", None) in record.attrs
    used = mapper.edge_record("USED", "t 1", "e:1", {"role": "x", "time": 1.0})
    assert used is not None and used.args["prov:time"] == "1970-01-01T00:00:01.000000Z"
    assert mapper.edge_record("WAS_PART_OF", "t", "wf", {}) is None
    assert instance_iri("urn:x:", "plan:m:q@h") == "urn:x:plan:m:q@h"
    assert xsd_datetime(1.9999999) == "1970-01-01T00:00:02.000000Z"
