"""The writers' fast paths for captured provenance give exactly what the general path (node or
edge -> :class:`Record` -> serialization) gives: random props of every captured node kind and
relationship type, ids that need percent-encoding, strings that need escapes, lists with
gaps, and a namespace nested under the instance namespace (which turns the id shortcut off)."""

from __future__ import annotations

import string
from typing import Any

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from exports.provjson import JsonValues
from exports.provjson_captured import CapturedJson
from exports.rdf_captured import CapturedTurtle
from exports.rdf_common import Statements
from exports.rdf_terms import TermWriter, quote
from exports.rdf_turtle import _group_text
from prov_model.captured import EDGE_RELATIONS, NODE_KINDS, CaptureMapper
from prov_model.namespaces import PrefixMap
from prov_model.prov_terms import BUILTIN_NAMESPACES
from prov_model.vocab import PROVGRAPH_NS, PROVONE_NS

NS = "https://provgraph.dev/id/"
ids = st.text(string.ascii_letters + string.digits + " :/@é<>%#\"'-_.", min_size=1,
              max_size=12)
names = st.sampled_from(["name", "activity_id", "value", "started_at", "ended_at", "status",
                         "tags", "role", "time", "plan", "size_bytes", "hash", "label",
                         "weird key", "ñ"])
scalars = st.one_of(
    st.text(st.characters(exclude_categories=["Cs"]), max_size=12),
    st.integers(-(2**31), 2**33),  # epoch seconds an xsd:dateTime can hold
    st.floats(0, 2e9, allow_nan=False),
    st.booleans(),
)
values = st.one_of(scalars, st.lists(st.one_of(scalars, st.none()), max_size=3))
props = st.dictionaries(names, values, max_size=8)


def _prefixes(nested: bool) -> PrefixMap:
    prefixes = PrefixMap({**BUILTIN_NAMESPACES, "provgraph": PROVGRAPH_NS,
                          "provone": PROVONE_NS, "pgid": NS})
    if nested:
        prefixes.add("sub", NS + "t/")
    return prefixes


def _edge_props(edge_type: str, raw: dict[str, Any]) -> dict[str, Any]:
    # role is a scalar in the graph (a list there has no PROV-O term either way); plan
    # names a node
    out = {k: v for k, v in raw.items() if not (k == "role" and isinstance(v, list))}
    if "plan" in out:
        out["plan"] = str(out["plan"])
    return out


@settings(max_examples=150, deadline=None)
@given(node_id=ids, label=st.sampled_from(sorted(NODE_KINDS)), node_props=props,
       wholes=st.lists(ids, max_size=2), nested=st.booleans())
def test_json_node_fast_path_matches_records(node_id: str, label: str,
                                             node_props: dict[str, Any], wholes: list[str],
                                             nested: bool) -> None:
    mapper = CaptureMapper(NS)
    general, fast = _prefixes(nested), _prefixes(nested)
    record = mapper.node_record(node_id, [label], node_props, wholes)
    assert record is not None
    expected = (general.qname(record.id or ""), JsonValues(general).body(record))
    got = CapturedJson(fast, CaptureMapper(NS)).node(node_id, [label], node_props, wholes)
    assert orjson.dumps(got) == orjson.dumps(expected)
    assert fast.used == general.used  # the prefix block lists the same prefixes


@settings(max_examples=150, deadline=None)
@given(edge_type=st.sampled_from(sorted(EDGE_RELATIONS)), src=ids, dst=ids, raw=props,
       nested=st.booleans())
def test_json_edge_fast_path_matches_records(edge_type: str, src: str, dst: str,
                                             raw: dict[str, Any], nested: bool) -> None:
    edge_props = _edge_props(edge_type, raw)
    mapper = CaptureMapper(NS)
    general, fast = _prefixes(nested), _prefixes(nested)
    record = mapper.edge_record(edge_type, src, dst, edge_props)
    assert record is not None
    expected = JsonValues(general).body(record)
    got = CapturedJson(fast, CaptureMapper(NS)).edge(edge_type, src, dst, edge_props)
    assert orjson.dumps(got) == orjson.dumps(expected)
    assert fast.used == general.used


def _turtle_pair() -> tuple[TermWriter, Statements, TermWriter, Statements]:
    prefixes = _prefixes(False)
    return TermWriter(prefixes), Statements(), TermWriter(prefixes), Statements()


@settings(max_examples=150, deadline=None)
@given(node_id=ids, label=st.sampled_from(sorted(NODE_KINDS)), node_props=props,
       wholes=st.lists(ids, max_size=2), indent=st.sampled_from(["", "    "]))
def test_turtle_node_fast_path_matches_records(node_id: str, label: str,
                                               node_props: dict[str, Any],
                                               wholes: list[str], indent: str) -> None:
    mapper = CaptureMapper(NS)
    terms, statements, fast_terms, fast_statements = _turtle_pair()
    record = mapper.node_record(node_id, [label], node_props, wholes)
    assert record is not None
    expected = "".join(_group_text(g, terms, indent) for g in statements.of(record))
    got = CapturedTurtle(fast_terms, fast_statements, CaptureMapper(NS), quote).node(
        node_id, [label], node_props, wholes, indent)
    assert got == expected


@settings(max_examples=150, deadline=None)
@given(edge_type=st.sampled_from(sorted(EDGE_RELATIONS)), src=ids, dst=ids, raw=props,
       indent=st.sampled_from(["", "    "]))
def test_turtle_edge_fast_path_matches_records(edge_type: str, src: str, dst: str,
                                               raw: dict[str, Any], indent: str) -> None:
    edge_props = _edge_props(edge_type, raw)
    mapper = CaptureMapper(NS)
    terms, statements, fast_terms, fast_statements = _turtle_pair()
    record = mapper.edge_record(edge_type, src, dst, edge_props)
    assert record is not None
    expected = "".join(_group_text(g, terms, indent) for g in statements.of(record))
    fast = CapturedTurtle(fast_terms, fast_statements, CaptureMapper(NS), quote)
    got = fast.edge(edge_type, src, dst, edge_props, indent)
    assert got == expected
    assert fast_statements.blank() == statements.blank()  # the same blank nodes used
