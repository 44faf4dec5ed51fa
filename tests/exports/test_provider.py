"""``Flowcept.db.export``: the capture API's way to a PROV document, on both stores."""

from __future__ import annotations

from pathlib import Path

import orjson

from capture import Flowcept, flowcept_task
from keeper.stores.base import Store
from provgraph.core.config import Settings
from tests.exports.conftest import prov_read
from tests.keeper.conftest import pipeline  # noqa: F401 - the fixture


@flowcept_task(output_names="doubled")
def double(values: list[int]) -> list[int]:
    return [2 * v for v in values]


def test_flowcept_db_export(pipeline: tuple[Settings, Store], tmp_path: Path) -> None:  # noqa: F811
    with Flowcept(workflow_name="export-me", campaign_id="camp-x") as run:
        double([1, 2, 3, 4, 5, 6])
        double([7, 8, 9, 10, 11, 12])
    workflow_id = run.current_workflow_id
    doc = orjson.loads(Flowcept.db.export(format="json"))  # the current workflow
    labels = sorted(a.get("prov:label") for a in doc["activity"].values())
    assert labels == ["double", "double", "export-me"]
    path = tmp_path / "wf.ttl"
    assert Flowcept.db.export(format="ttl", workflow_id=workflow_id, path=str(path)) == str(path)
    assert b"prov:qualifiedUsage" in path.read_bytes()
    campaign = Flowcept.db.export(format="provn", campaign_id="camp-x")
    assert campaign.startswith("document") and "provgraph:Campaign" in campaign
    assert len(prov_read(Flowcept.db.export(format="json", workflow_id=workflow_id))
               .get_records()) > 5
