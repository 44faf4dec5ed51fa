"""Import: imported and captured provenance in one graph, idempotent, atomic, and bad input
refused with one line naming the file, the format and the first problem."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from exports import ExportScope, export, import_document
from keeper.stores.base import Store
from prov_model.delta import Edge, GraphDelta, Node
from provgraph.core.errors import DocumentError, StoreError
from tests.exports.conftest import CORPUS, PROV_TESTS, prov_read
from tests.exports.diamond import write_diamond

LINKED = b"""document
  prefix ex <http://example.org/>
  prefix pgid <https://provgraph.dev/id/>
  entity(ex:report, [prov:label="monthly report"])
  activity(ex:publish, 2026-01-01T10:00:00Z, -)
  used(ex:publish, pgid:join, -)
  wasGeneratedBy(ex:report, ex:publish, 2026-01-01T10:05:00Z)
endDocument
"""


def counts(store: Store) -> dict[str, dict[str, int]]:
    return store.counts()


def test_importing_twice_changes_nothing(store: Store) -> None:
    path = PROV_TESTS / "json" / "bundle2.json"
    import_document(store, path)
    before = counts(store)
    snapshot = export(store, ExportScope(), "json")
    import_document(store, path)
    assert counts(store) == before
    assert export(store, ExportScope(), "json") == snapshot


def test_imported_and_captured_provenance_share_lineage(store: Store) -> None:
    write_diamond(store)
    # The imported activity reads the captured task's node: one graph.
    import_document(store, io.BytesIO(LINKED.replace(b"pgid:join", b"ex:join")), "provn")
    import_document(store, io.BytesIO(
        b'{"prefix": {"ex": "http://example.org/"}, "used": {"_:u": '
        b'{"prov:activity": "ex:join", "prov:entity": "ex:report"}}}'), "json")
    report = "http://example.org/report"
    upstream = {hit["id"] for hit in store.upstream(report, depth=3)}
    assert "http://example.org/publish" in upstream
    node = store.get_node(report)
    assert node is not None and node["props"]["prov:label"] == "monthly report"
    assert node["labels"] == ["Entity"]


def test_an_iri_is_never_taken_for_a_captured_id(store: Store) -> None:
    write_diamond(store)
    before = counts(store)["nodes"]["Activity"]
    import_document(store, io.BytesIO(
        b'{"prefix": {"t": "urn:x:"}, "used": {"_:u": '
        b'{"prov:activity": "join", "prov:entity": "t:extra"}}}'.replace(
            b'"join"', b'"t:join"')), "json")
    assert counts(store)["nodes"]["Activity"] == before + 1  # urn:x:join, not the task


@pytest.mark.parametrize(("data", "fmt", "problem"), [
    (b"{not json", "json", "not JSON"),
    (b'{"entity": 3}', "json", "'entity' must be an object"),
    (b'{"entity": {"ex:e": {}}}', "json", "undeclared prefix 'ex'"),
    (b'{"wasGeneratedBy": {"_:g": {"prov:entity": "e", "prov:nope": "x"}}}', "json",
     "no default namespace"),
    (b"document\n  entity(ex:e\nendDocument\n", "provn", ""),
    (b"<not-prov/>", "xml", ""),
    (b"@prefix : <x> . :a :b", "ttl", ""),
])
def test_bad_input_is_one_line_and_leaves_the_store_unchanged(
        store: Store, data: bytes, fmt: str, problem: str) -> None:
    write_diamond(store)
    before = counts(store)
    with pytest.raises(DocumentError) as caught:
        import_document(store, io.BytesIO(data), fmt, name="bad.input")
    message = str(caught.value)
    assert "\n" not in message and message.startswith("bad.input: not valid ")
    assert problem in message
    assert counts(store) == before


def test_unknown_format_lists_the_known_ones(store: Store) -> None:
    with pytest.raises(DocumentError, match=r"unknown format 'yaml'; known: json .*ttl"):
        import_document(store, io.BytesIO(b"{}"), "yaml")
    with pytest.raises(DocumentError, match="cannot tell the format"):
        import_document(store, Path("notes.txt"))


def test_a_write_that_fails_halfway_leaves_nothing(store: Store) -> None:
    good = [Node("urn:a", ("Entity",), {"iri": "urn:a", "declared": ["entity"]}),
            Node("urn:b", ("Entity",), {"iri": "urn:b", "declared": ["entity"]})]
    bad_edge = Edge("WAS_DERIVED_FROM", "urn:a", "urn:b",
                    {"rid": "r1", "bad": {"a map": "Neo4j cannot store"}})  # type: ignore[dict-item]
    with pytest.raises(StoreError):
        store.import_graph(GraphDelta(good, [bad_edge]))
    assert store.get_node("urn:a") is None
    assert counts(store)["nodes"] == {}


def test_a_missing_file_is_one_line(store: Store, tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match=r"nope.json: cannot open"):
        import_document(store, tmp_path / "nope.json")


def test_line_based_and_json_readers_give_the_same_records(store: Store) -> None:
    path = next(p for p in CORPUS if p.name == "derivation5.json")
    import_document(store, path)
    doc = export(store, ExportScope(), "json") or b""
    assert prov_read(doc) == prov_read(path.read_bytes())


def test_an_imported_document_survives_reopening_the_embedded_store(tmp_path: Path) -> None:
    from keeper.stores.embedded import EmbeddedStore

    path = PROV_TESTS / "json" / "scruffy-usage1-M.json"  # two relations, one identifier
    store = EmbeddedStore.open(tmp_path / "e")
    import_document(store, path)
    before = export(store, ExportScope(), "json")
    EmbeddedStore.evict(tmp_path / "e")
    reopened = EmbeddedStore.open(tmp_path / "e")  # reads the database afresh
    assert export(reopened, ExportScope(), "json") == before
    assert prov_read(before or b"") == prov_read(path.read_bytes())
    EmbeddedStore.evict(tmp_path / "e")
