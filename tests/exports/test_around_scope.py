"""``export --around`` and ``viz --around`` answer the same question with the same nodes, on
both stores: one lineage engine (keeper/lineage/around.py) behind both."""

from __future__ import annotations

import io
import json

import pytest

from exports.api import export
from exports.source import ExportScope
from exports.views import build_scope
from keeper.lineage.api import value_id
from keeper.stores.base import Store
from prov_model import map_batch
from tests.exports.diamond import INPUT, WORKFLOW, messages

# A second workflow reads the diamond's output: lineage that crosses workflows.
OUT = "out: the joined result of the diamond"
REPORT = [{"type": "workflow", "workflow_id": "wf-report", "name": "report", "user": "bob"},
          {"type": "task", "task_id": "report", "activity_id": "report",
           "workflow_id": "wf-report", "used": {"result": OUT}, "generated": {"pdf": 1},
           "status": "FINISHED", "started_at": 1_790_000_100.0, "user": "bob"}]
PREFIX = "pgid:"


def exported_ids(store: Store, ref: str, depth: int) -> set[str]:
    """The node ids of the PROV-JSON document ``export --around REF --depth N`` writes."""
    out = io.BytesIO()
    export(store, ExportScope.of(around=ref, depth=depth), "json", out)
    doc = json.loads(out.getvalue())
    ids = {key for kind in ("entity", "activity", "agent") for key in doc.get(kind, {})}
    assert all(i.startswith(PREFIX) for i in ids), ids
    return {i.removeprefix(PREFIX) for i in ids}


@pytest.mark.parametrize("ref", ["left", "join", "report", "split", "value:input",
                                 "value:out"])
@pytest.mark.parametrize("depth", [1, 2, 4, 10])
def test_export_and_viz_around_give_the_same_nodes(store: Store, ref: str, depth: int) -> None:
    store.write(map_batch(messages() + REPORT))
    if ref.startswith("value:"):
        ref = value_id({"input": INPUT, "out": OUT}[ref.removeprefix("value:")]) or ""
    drawn = set(build_scope(store, around=ref, depth=depth).nodes)
    assert exported_ids(store, ref, depth) == drawn
    assert ref in drawn and len(drawn) > 1
    if depth >= 4 and ref == "split":  # the whole diamond, its run's agent and the report
        assert {"left", "right", "join", "report", "person:alice"} <= drawn
        assert WORKFLOW not in drawn  # part-of is not lineage
