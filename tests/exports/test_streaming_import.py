"""A document larger than the import's chunk: read a record at a time, spooled, written in
pieces in one transaction, it gives the graph a whole read gives, on both stores; a bad
record late in it, or a failure while writing, leaves the store as it was; memory does not
grow with the document (issue 23, item 12)."""

from __future__ import annotations

import io
import json
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from exports import import_document
from exports.import_spool import ImportSpool
from exports.importer import ImportProgress, read_document
from keeper.stores.base import Store
from keeper.stores.embedded import EmbeddedStore
from prov_model.delta import GraphDelta
from provgraph.core.errors import DocumentError, StoreError

CHUNK = 7  # records: every element below is described across several chunks


def document(n: int, *, bad: bool = False) -> bytes:
    """A PROV-JSON document of about ``5 n`` records that a chunked read must merge: nodes
    used before they are declared, elements declared twice with attributes in both
    places, repeated and unnamed relations, a hadMember list, a bundle, the prefix block
    last (as provgraph writes it)."""
    entity: dict[str, Any] = {}
    activity: dict[str, Any] = {}
    used: dict[str, Any] = {}
    generated: dict[str, Any] = {}
    derived: dict[str, Any] = {}
    for i in range(n):
        used[f"_:u{i}"] = {"prov:activity": f"ex:a{i % 50}", "prov:entity": f"ex:e{i}",
                           "prov:time": "2024-01-01T00:00:00Z"}
        generated[f"ex:g{i}"] = {"prov:entity": f"ex:e{i + 1}", "prov:activity":
                                 f"ex:a{(i + 7) % 50}", "ex:n": i}
        derived[f"_:d{i}"] = {"prov:generatedEntity": f"ex:e{i + 1}",
                              "prov:usedEntity": f"ex:e{i}"}
        entity[f"ex:e{i}"] = {"prov:label": f"e{i}", "ex:size": {"$": str(i),
                                                               "type": "xsd:int"}}
    for j in range(50):
        activity[f"ex:a{j}"] = {"prov:startTime": "2024-01-01T00:00:00Z", "ex:k": j}
    document: dict[str, Any] = {
        "wasGeneratedBy": generated, "used": used, "entity": entity, "activity": activity,
        "wasDerivedFrom": derived,
        "hadMember": {"_:m": {"prov:collection": "ex:c", "prov:entity": ["ex:e1", "ex:e2"]}},
        "wasInfluencedBy": {"_:i": {"prov:influencee": "ex:x", "prov:influencer": "ex:e3"}},
        "bundle": {"ex:b": {"entity": {"ex:e1": {"ex:inner": True}},
                            "prefix": {"in": "http://inner/"}}},
    }
    # The same elements once more, later in the file: attributes add up, last args win.
    document["agent"] = {"ex:x": {"ex:role": "late"}}
    text = json.dumps(document)[:-1]
    text += ',"activity":{"ex:a1":{"ex:k":100,"prov:endTime":"2024-01-02T00:00:00Z"}}'
    text += ',"entity":{"ex:e2":{"prov:label":"again"}}'
    if bad:  # the last record of the file
        text += ',"entity":{"ex:late":{"ex:v":{"$":"x","lang":"not a tag!"}}}'
    return (text + ',"prefix":{"ex":"http://example.org/"}}').encode()


def snapshot(store: Store) -> tuple[list[Any], list[Any]]:
    nodes = sorted((n["id"], n["labels"], sorted(n["props"].items(), key=str))
                   for n in store.iter_nodes())
    edges = sorted((e["type"], e["src"], e["dst"], sorted(e["props"].items(), key=str))
                   for e in store.iter_edges())
    return nodes, edges


def whole_read(store: Store, data: bytes) -> None:
    """Today's import before streaming: one builder, one delta, one write."""
    builder, _, _ = read_document(io.BytesIO(data), "json", "doc.json")
    store.import_graph(builder.build())


def test_the_spool_gives_the_delta_of_a_whole_read() -> None:
    data = document(300)
    builder, fmt, label = read_document(io.BytesIO(data), "json", "doc.json")
    whole = builder.build()
    with ImportSpool(CHUNK, 11) as spool:
        parsed = fmt.read(io.BytesIO(data), label)
        for prefix, uri in parsed.namespaces:
            if prefix:
                spool.namespace(prefix, uri)
        for record in parsed.records:
            spool.add(record)
        counts = spool.finish()
        pieces = list(spool.deltas())
    assert spool.spills > 100 and all(len(p.nodes) + len(p.edges) <= 11 for p in pieces)
    assert [n for p in pieces for n in p.nodes] == whole.nodes
    assert [e for p in pieces for e in p.edges] == whole.edges
    assert counts.records == builder.records and counts.namespaces == len(builder.namespaces)


def test_a_chunked_import_is_the_whole_import(store: Store) -> None:
    data = document(300)
    whole_read(store, data)
    expected = snapshot(store)
    store.clear()
    seen: list[ImportProgress] = []
    result = import_document(store, io.BytesIO(data), "json", name="doc.json", chunk=CHUNK,
                             progress=lambda state: seen.append(
                                 ImportProgress(**vars(state))))
    assert snapshot(store) == expected
    assert result.records > 1200 and result.edges == len(expected[1])
    assert {state.stage for state in seen} == {"reading", "writing"}
    assert max(state.passes for state in seen) == 2  # the prefix block is last
    assert seen[-1].stage == "writing" and seen[-1].done == seen[-1].total
    # importing it again changes nothing
    import_document(store, io.BytesIO(data), "json", chunk=CHUNK)
    assert snapshot(store) == expected


def test_a_bad_record_late_in_a_big_document_changes_nothing(store: Store,
                                                              tmp_path: Path) -> None:
    import_document(store, io.BytesIO(document(20)), "json")
    before = snapshot(store)
    path = tmp_path / "big.json"
    path.write_bytes(document(2000, bad=True))
    with pytest.raises(DocumentError) as caught:
        import_document(store, path, chunk=100)
    message = str(caught.value)
    assert message.startswith(f"{path}: not valid PROV-JSON")
    assert "http://example.org/late" in message and "\n" not in message
    assert snapshot(store) == before


def test_a_failure_while_writing_rolls_every_piece_back(store: Store,
                                                        monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    import_document(store, io.BytesIO(document(20)), "json")
    before = snapshot(store)
    pieces = ImportSpool.deltas

    def failing(self: ImportSpool) -> Iterator[GraphDelta]:
        for n, delta in enumerate(pieces(self)):
            if n == 20:  # nodes and relations of earlier pieces are written by now
                raise StoreError("the disk went away")
            yield delta

    monkeypatch.setattr(ImportSpool, "deltas", failing)
    with pytest.raises(StoreError):
        import_document(store, io.BytesIO(document(500)), "json", chunk=CHUNK)
    assert snapshot(store) == before


def _peak(tmp_path: Path, n: int) -> int:
    path = tmp_path / f"doc{n}.json"
    path.write_bytes(document(n))
    store = EmbeddedStore(tmp_path / f"store{n}")
    try:
        tracemalloc.start()
        import_document(store, path, chunk=500)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        store.close()


def test_memory_does_not_grow_with_the_document(tmp_path: Path) -> None:
    small = _peak(tmp_path, 1_000)  # about 4k records
    large = _peak(tmp_path, 10_000)  # 10x
    assert large < 1.5 * small, (small, large)


def test_the_progress_bar_is_one_line() -> None:
    from provgraph.cli.importer import render

    reading = render(ImportProgress("big.json", "reading", 50, 200, 1234, 2))
    assert reading.startswith("importing big.json: reading (pass 2) [") and "25%" in reading
    writing = render(ImportProgress("big.json", "writing", 10, 10, 1234))
    assert "100% of 10 nodes and relations, 1234 records" in writing
    assert "\n" not in reading + writing
