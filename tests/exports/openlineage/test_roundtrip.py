"""``provgraph export --format openlineage`` and back: a captured workflow's tasks as run
events, imported into an empty store, keep their tasks, statuses, times and lineage."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from capture import Flowcept, flowcept_task
from exports.api import export
from exports.openlineage.importer import import_events
from exports.openlineage.reader import read_events
from exports.openlineage.validate import validate_event
from exports.source import ExportScope
from keeper.lineage import api as lineage
from keeper.stores.embedded import EmbeddedStore
from tests.keeper.conftest import embedded_settings, installed


@flowcept_task
def stage(src: str, dst: str) -> str:
    Path(dst).write_text(Path(src).read_text().upper())
    return dst


@flowcept_task
def check(path: str) -> int:
    if "BAD" in Path(path).read_text():
        raise ValueError("bad rows")
    return 1


def tasks_of(store: Any, workflow_id: str) -> dict[str, dict[str, Any]]:
    return {n["id"]: n["props"] for n in store.find_nodes("Task", {"workflow_id": workflow_id})}


def test_round_trip_keeps_tasks_statuses_times_and_lineage(tmp_path: Path) -> None:
    raw, up, out = tmp_path / "raw.csv", tmp_path / "up.csv", tmp_path / "final.csv"
    raw.write_text("a,bad\n")
    settings = embedded_settings(tmp_path / "data")
    with installed(settings) as store:
        with Flowcept(workflow_name="etl", start_persistence=True, check_safe_stops=True) as f:
            stage(str(raw), str(up))
            stage(str(up), str(out))
            with pytest.raises(ValueError):
                check(str(out))
        workflow_id = f.current_workflow_id
        before = tasks_of(store, workflow_id)
        data = export(store, ExportScope.workflow(workflow_id), "openlineage")
    assert data is not None
    lines = data.splitlines()
    events = [orjson.loads(line) for line in lines]
    assert len(before) == 3 and len(events) == 6
    for event in events:
        validate_event(event)  # every event is valid OpenLineage
    assert {e["eventType"] for e in events} == {"START", "COMPLETE", "FAIL"}
    first = next(e for e in events if e["outputs"])
    assert first["job"]["namespace"] == "etl"

    path = tmp_path / "events.jsonl"
    path.write_bytes(data)
    fresh = EmbeddedStore.open(tmp_path / "fresh")
    import_events(fresh, read_events(path))
    after = tasks_of(fresh, workflow_id)
    assert after.keys() == before.keys()
    for task_id, props in before.items():
        assert after[task_id]["status"] == props["status"]
        for key in ("started_at", "ended_at"):
            assert abs(after[task_id][key] - props[key]) < 1e-5
        assert after[task_id]["activity_id"] == props["activity_id"]
    failed = next(t for t, p in before.items() if p["status"] == "ERROR")
    assert "bad rows" in after[failed]["stderr"]
    assert {h["id"] for h in lineage.upstream(fresh, failed, depth=10)} & set(before) == {
        t for t in before if t != failed}
    stages = {t for t, p in before.items() if p["activity_id"] == "stage"}
    assert {h["id"] for h in lineage.upstream(fresh, str(out), depth=4)} >= stages
