"""Every format's output is valid: PROV-JSON and PROV-JSONLD against the schemas the prov
wheel ships, RDF parsed by rdflib, PROV-N and PROV-XML read back by the prov package; and
documents read back from each format are the documents written, wherever the prov package
itself manages that round trip."""

from __future__ import annotations

import io
import json
import warnings
from pathlib import Path

import jsonschema
import pytest
import rdflib

from exports import ExportScope, export, import_document
from keeper.stores.embedded import EmbeddedStore
from provgraph.core.errors import DocumentError
from tests.exports.conftest import CORPUS, SCHEMAS, prov_read
from tests.exports.diamond import write_diamond

RDF_SYNTAX = {"ttl": "turtle", "nt": "nt", "trig": "trig", "rdf-jsonld": "json-ld"}
SAMPLE = CORPUS[::7]
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def validator(name: str) -> jsonschema.protocols.Validator:
    schema = json.loads((SCHEMAS / name).read_text())
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def stored(tmp_path: Path, path: Path | None = None) -> EmbeddedStore:
    store = EmbeddedStore(tmp_path / (path.stem if path else "diamond"))
    if path is None:
        write_diamond(store)
    else:
        import_document(store, path)
    return store


@pytest.mark.parametrize("path", [None, *SAMPLE], ids=lambda p: p.name if p else "diamond")
def test_prov_json_validates_against_the_schema(tmp_path: Path, path: Path | None) -> None:
    check = validator("prov-json.schema.json")
    if path is not None and list(check.iter_errors(json.loads(path.read_bytes()))):
        pytest.skip("the corpus document itself is not schema-valid (a missing argument)")
    document = json.loads(export(stored(tmp_path, path), ExportScope(), "json") or b"")
    assert list(check.iter_errors(document)) == []


@pytest.mark.parametrize("path", [None, *SAMPLE], ids=lambda p: p.name if p else "diamond")
def test_prov_jsonld_validates_against_the_schema(tmp_path: Path, path: Path | None) -> None:
    if path is not None and path.name.startswith("mention"):
        pytest.skip("PROV-JSONLD has no term for mentionOf")
    check = validator("prov-jsonld.schema.json")
    if path is not None:
        theirs = prov_read(path.read_bytes()).serialize(format="jsonld")
        if list(check.iter_errors(json.loads(theirs))):
            pytest.skip("the prov package's own PROV-JSONLD of this document is not valid")
    document = json.loads(export(stored(tmp_path, path), ExportScope(), "jsonld") or b"")
    assert document["@context"][-1] == "https://openprovenance.org/prov-jsonld/context.jsonld"
    assert list(check.iter_errors(document)) == []


def test_a_schema_rejects_a_broken_document() -> None:
    # The validators above can fail: a record type PROV-JSON does not know is refused.
    assert list(validator("prov-json.schema.json").iter_errors({"enitty": {}}))


@pytest.mark.parametrize("fmt", list(RDF_SYNTAX))
@pytest.mark.parametrize("path", [None, *SAMPLE], ids=lambda p: p.name if p else "diamond")
def test_rdf_parses_with_rdflib(tmp_path: Path, path: Path | None, fmt: str) -> None:
    data = export(stored(tmp_path, path), ExportScope(), fmt) or b""
    graph = rdflib.Dataset() if fmt == "trig" else rdflib.Graph()
    graph.parse(data=data, format=RDF_SYNTAX[fmt])
    assert len(graph) > 0


def _prov_round_trips(path: Path, fmt: str) -> bool:
    options = {"rdf_format": RDF_SYNTAX[fmt]} if fmt in RDF_SYNTAX else {}
    prov_format = "rdf" if fmt in RDF_SYNTAX else fmt
    original = prov_read(path.read_bytes())
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            text = original.serialize(format=prov_format, **options)
        return bool(original == prov_read(text, prov_format, **options))
    except Exception:
        return False


@pytest.mark.parametrize("fmt", ["jsonld", "provn", "xml", "trig", "ttl", "nt", "rdf-jsonld"])
def test_each_format_round_trips_where_prov_does(tmp_path: Path, fmt: str,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    corpus = CORPUS if fmt in ("jsonld", "provn", "xml") else CORPUS[::3]
    ours: list[str] = []
    theirs: list[str] = []
    for i, path in enumerate(corpus):
        if _prov_round_trips(path, fmt):
            theirs.append(path.name)
        source = EmbeddedStore(tmp_path / f"s{i}")
        import_document(source, path)
        try:
            data = export(source, ExportScope(), fmt) or b""
        except DocumentError:  # PROV-JSONLD has no mentionOf
            continue
        back = EmbeddedStore(tmp_path / f"b{i}")
        try:
            import_document(back, io.BytesIO(data), fmt)
        except DocumentError:  # what PROV-O cannot say (two relations, one identifier)
            continue
        if prov_read(path.read_bytes()) == prov_read(export(back, ExportScope(), "json") or b""):
            ours.append(path.name)
    with capsys.disabled():
        print(f"\n{fmt}: provgraph {len(ours)}/{len(corpus)}, prov {len(theirs)}/{len(corpus)}")
    assert set(theirs) - set(ours) == set()
    assert len(ours) >= len(corpus) * 0.85
