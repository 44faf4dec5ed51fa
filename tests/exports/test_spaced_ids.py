"""Captured ids may hold anything, a space included: an id is never parsed for a bundle, and
every format writes it (issue 23, item 4)."""

from __future__ import annotations

import io
from pathlib import Path

import orjson
import pytest
import rdflib

from exports import ExportScope, export, import_document
from exports.config import ExportSettings
from keeper.stores.base import Store
from keeper.stores.embedded import EmbeddedStore
from prov_model import map_batch
from prov_model.captured import instance_iri
from prov_model.config import EntitySettings

WORKFLOW = "nightly run 7"
TASK = "train step 1"


def write_spaced(store: Store) -> None:
    """What ``Flowcept(workflow_id="nightly run 7")`` with ``FlowceptTask(task_id="train
    step 1")`` sends."""
    store.write(map_batch([
        {"type": "workflow", "workflow_id": WORKFLOW, "name": "nightly", "user": "alice",
         "started_at": 1_790_000_000.0, "status": "FINISHED"},
        {"type": "task", "task_id": TASK, "activity_id": "train", "workflow_id": WORKFLOW,
         "used": {"data": "/data/nightly run/input.csv"}, "generated": {"loss": 0.25},
         "started_at": 1_790_000_001.0, "ended_at": 1_790_000_002.0, "status": "FINISHED"},
    ], EntitySettings()))


def test_a_spaced_id_is_not_taken_for_a_bundle(store: Store) -> None:
    write_spaced(store)
    document = orjson.loads(export(store, ExportScope(), "json") or b"")
    assert "bundle" not in document
    names = set(document["activity"])
    assert {"pgid:nightly%20run%207", "pgid:train%20step%201"} <= names
    scoped = orjson.loads(export(store, ExportScope.workflow(WORKFLOW), "json") or b"")
    assert "bundle" not in scoped and "pgid:train%20step%201" in scoped["activity"]


@pytest.mark.parametrize("fmt,rdf", [("nt", "nt"), ("ttl", "turtle"), ("trig", "trig"),
                                     ("rdf-jsonld", "json-ld")])
def test_every_rdf_format_of_a_spaced_id_parses(store: Store, fmt: str, rdf: str) -> None:
    write_spaced(store)
    graph = rdflib.Dataset()
    graph.parse(data=export(store, ExportScope(), fmt), format=rdf)
    task = instance_iri(ExportSettings().instance_namespace, TASK)
    assert rdflib.URIRef(task) in {q[0] for q in graph.quads()}
    assert not [q for q in graph.quads() if q[3] is not None
                and str(q[3]) not in ("urn:x-rdflib:default",)]


def test_a_spaced_id_survives_export_and_import(tmp_path: Path) -> None:
    source = EmbeddedStore(tmp_path / "a")
    write_spaced(source)
    data = export(source, ExportScope(), "json") or b""
    copy = EmbeddedStore(tmp_path / "b")
    import_document(copy, io.BytesIO(data), "json", name="spaced.json")
    # A captured run comes back as the same run (prov_model.recapture): the same ids.
    node = copy.get_node(TASK)
    assert node is not None and "Task" in node["labels"]
    assert node["props"]["workflow_id"] == WORKFLOW
    again = orjson.loads(export(copy, ExportScope(), "json") or b"")
    assert "bundle" not in again and "pgid:train%20step%201" in again["activity"]
    assert again == orjson.loads(data)
    source.close()
    copy.close()
