"""The store reads a scoped export makes, on both stores: ``edge_ends`` gives the ends of
exactly the edges ``out_edges_of`` / ``in_edges_of`` give, in the same order, without props;
and the part-of closure of a workflow is its tasks."""

from __future__ import annotations

import pytest

from keeper.stores.base import Store
from prov_model.vocab import USED, WAS_GENERATED_BY, WAS_PART_OF
from provgraph.core.errors import StoreError
from tests.exports.diamond import WORKFLOW, write_diamond


def test_edge_ends_match_the_edges_read_with_props(store: Store) -> None:
    write_diamond(store)
    ids = sorted({*store.label_ids("Activity"), *store.label_ids("Entity")})
    for types in (None, (USED,), (USED, WAS_PART_OF), (WAS_GENERATED_BY,)):
        out = [(e["type"], e["src"], e["dst"]) for e in store.out_edges_of(ids, types)]
        inward = [(e["type"], e["src"], e["dst"]) for e in store.in_edges_of(ids, types)]
        assert store.edge_ends(ids, types) == out
        assert store.edge_ends(ids, types, "in") == inward
    used = store.edge_ends(["join"], (USED,))
    assert len(used) == 2 and all(src == "join" for _, src, _ in used)
    assert store.edge_ends(["nope"], (USED,)) == []


def test_edge_ends_refuse_an_unknown_direction(store: Store) -> None:
    with pytest.raises(StoreError, match="direction must be 'out' or 'in'"):
        store.edge_ends(["join"], None, "both")


def test_part_of_closure_is_the_workflow_and_its_tasks(store: Store) -> None:
    write_diamond(store)
    assert store.part_of_closure(WORKFLOW) == sorted([WORKFLOW, "join", "left", "right",
                                                      "split"])
