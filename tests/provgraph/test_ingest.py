"""``ingest_openlineage``: events through the configured hub, stored by a keeper once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from exports.openlineage.validate import InvalidEvent
from provgraph.cli import main
from provgraph.ingest import ingest_openlineage
from tests.keeper.conftest import embedded_settings, installed

RUN = "3f5e83fa-3480-44ff-99c5-ff943904e5e8"


def event(kind: str, time: str) -> dict[str, Any]:
    return {"eventType": kind, "eventTime": time, "producer": "tests",
            "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
            "run": {"runId": RUN}, "job": {"namespace": "ns", "name": "job"},
            "outputs": [{"namespace": "s3://bucket", "name": "out.csv"}]}


def test_events_go_through_the_hub_to_the_keeper(tmp_path: Path) -> None:
    settings = embedded_settings(tmp_path / "data")
    with installed(settings) as store:
        end, start = event("COMPLETE", "2024-05-01T10:05:00Z"), event("START",
                                                                      "2024-05-01T10:00:00Z")
        assert ingest_openlineage([end, start, end], settings) == 3  # out of order, twice
        bad = event("START", "2024-05-01T10:00:00Z")
        bad["run"]["runId"] = "nope"
        with pytest.raises(InvalidEvent, match=r"^event 1: run: "):
            ingest_openlineage([start, bad], settings)  # nothing of the call is sent
        assert main(["keeper", "run", "--until-idle", "-q"]) == 0
        node = store.get_node(RUN)
        assert node is not None
        assert node["props"]["status"] == "FINISHED"
        assert node["props"]["started_at"] < node["props"]["ended_at"]
        assert settings.buffer_file and len(
            Path(settings.buffer_file).read_text().splitlines()) == 3
