"""Round trip over the prov package's own corpus (``prov/tests/json``), on both stores:
import each document, export the store as PROV-JSON, and ask the prov package whether the
document is the same (``ProvDocument ==``)."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from exports import ExportScope, export, import_document
from keeper.stores.base import Store
from tests.exports.conftest import CORPUS, prov_read


def round_trip(store: Store, path: Path) -> bool:
    store.clear()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        original = prov_read(path.read_bytes())
    import_document(store, path)
    return bool(original == prov_read(export(store, ExportScope(), "json") or b""))


def test_the_corpus_is_there() -> None:
    assert len(CORPUS) >= 390


def test_every_corpus_document_round_trips(store: Store, capsys: pytest.CaptureFixture[str]
                                           ) -> None:
    failed = [path.name for path in CORPUS if not round_trip(store, path)]
    with capsys.disabled():
        print(f"\nprov corpus round trip on {store.kind}: "
              f"{len(CORPUS) - len(failed)}/{len(CORPUS)} documents equal")
    assert failed == []
