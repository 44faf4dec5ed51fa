"""Exports read their scope in keyset pages (keeper/stores/scope.py): the pages give the
same documents whatever their size, and the embedded store's scope in its database holds
the same ids as the scope built over the generic reads."""

from __future__ import annotations

import io

import pytest

from exports.api import export, import_document
from exports.config import ExportSettings
from exports.source import ExportDocument, ExportScope
from keeper.stores.base import Store
from keeper.stores.embedded import EmbeddedStore
from keeper.stores.scope import GENERAL, held_part_of_scope
from prov_model import map_batch
from tests.exports.diamond import WORKFLOW, messages

BUNDLED = b"""{"prefix": {"ex": "http://example.org/"},
 "entity": {"ex:top": {}},
 "bundle": {"ex:b1": {"entity": {"ex:in1": {}, "ex:in2": {}, "ex:in3": {}},
                      "wasDerivedFrom": {"_:d1": {"prov:generatedEntity": "ex:in2",
                                                  "prov:usedEntity": "ex:in1"}}},
            "ex:b2": {"entity": {"ex:in4": {}}}}}"""


def document(store: Store, scope: ExportScope, chunk: int, fmt: str = "json") -> bytes:
    out = io.BytesIO()
    export(store, scope, fmt, out, settings=ExportSettings(chunk=chunk))
    return out.getvalue()


@pytest.mark.parametrize("scope", [ExportScope.workflow(WORKFLOW), ExportScope(),
                                   ExportScope.around("left", depth=3)])
def test_page_size_does_not_change_the_document(store: Store, scope: ExportScope) -> None:
    store.write(map_batch(messages()))
    import_document(store, io.BytesIO(BUNDLED), "json")
    whole = document(store, scope, 5000)
    assert document(store, scope, 1) == whole
    assert document(store, scope, 3) == whole
    assert document(store, scope, 3, "ttl") == document(store, scope, 5000, "ttl")


def test_the_database_scope_holds_what_the_generic_one_does(tmp_path: object) -> None:
    store = EmbeddedStore(str(tmp_path))
    store.write(map_batch(messages()))
    table = store.part_of_scope(WORKFLOW)
    held = held_part_of_scope(store, WORKFLOW)
    assert table is not None and held is not None
    for label in GENERAL:
        assert table.page(label, "", 1000) == held.page(label, "", 1000)
        first = table.page(label, "", 2)
        assert table.page(label, first[-1], 1000) == held.page(label, "", 1000)[2:]
    ids = [*held.page("Activity", "", 3), "nope"]
    assert table.labels_of(ids) == held.labels_of(ids)
    assert table.count() == held.count() > 0
    table.close()
    table.close()  # idempotent
    assert store.part_of_scope("nope") is None
    with ExportDocument(store, ExportScope.workflow(WORKFLOW)) as doc:
        assert doc.total_nodes() == held.count()
    store.close()
