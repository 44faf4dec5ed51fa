"""OpenLineage run events -> PROV nodes and edges (prov_model.openlineage)."""

from __future__ import annotations

from typing import Any

import pytest

from prov_model import map_batch
from prov_model.config import EntitySettings
from prov_model.entities import entity_node
from prov_model.openlineage import dataset_uri, iso_time
from provgraph.core import wire
from provgraph.core.errors import MappingError

RUN = "3f5e83fa-3480-44ff-99c5-ff943904e5e8"
PARENT = "0c0f2f8e-2b1a-4d8e-9a51-6b7b4ad0e001"


def event(event_type: str, time: str, **extra: Any) -> dict[str, Any]:
    facets = {"parent": {"run": {"runId": PARENT},
                         "job": {"namespace": "pipelines", "name": "nightly"}}}
    facets.update(extra.pop("run_facets", {}))
    return {"eventType": event_type, "eventTime": time, "producer": "tests",
            "run": {"runId": RUN, "facets": facets},
            "job": {"namespace": "pipelines", "name": "clean"},
            "inputs": [{"namespace": "s3://bucket", "name": "raw.csv",
                        "facets": {"schema": {"fields": [{"name": "id"}, {"name": "x"}]}}}],
            "outputs": [{"namespace": "file", "name": "/data/clean.csv"}], **extra}


def mapped(*events: dict[str, Any]) -> tuple[dict[str, Any], list[Any]]:
    delta = map_batch([wire.openlineage_message(e) for e in events])
    return delta.node_map(), delta.edges


def test_run_job_parent_and_datasets() -> None:
    nodes, edges = mapped(event("START", "2024-05-01T10:00:00Z"))
    run = nodes[RUN]
    assert run.labels == ("Activity", "Task")
    assert run.props["status"] == "RUNNING" and run.props["activity_id"] == "clean"
    assert run.props["started_at"] == iso_time("2024-05-01T10:00:00+00:00")
    assert run.props["workflow_id"] == PARENT and run.props["plan_id"] == "plan:pipelines:clean"
    assert nodes[PARENT].labels == ("Activity", "Workflow")
    assert nodes[PARENT].props["name"] == "nightly"
    kinds = {(e.type, e.props.get("role")) for e in edges}
    assert ("USED", "s3://bucket/raw.csv") in kinds
    assert ("WAS_GENERATED_BY", "/data/clean.csv") in kinds
    assert ("WAS_PART_OF", None) in kinds


def test_dataset_is_the_captured_entity_of_the_same_path_or_uri() -> None:
    nodes, _ = mapped(event("COMPLETE", "2024-05-01T10:05:00Z"))
    settings = EntitySettings()
    for uri in ("s3://bucket/raw.csv", "/data/clean.csv"):
        captured = entity_node(uri, "t/used/x", settings)
        assert captured.id in nodes, uri
        assert nodes[captured.id].props["value"] == uri
    raw = nodes[entity_node("s3://bucket/raw.csv", "t", settings).id]
    assert raw.props["ol_namespace"] == "s3://bucket"
    assert raw.props["ol_schema_fields"] == ["id", "x"]
    assert '"fields"' in str(raw.props["ol_facet_schema_json"])


def test_a_short_dataset_name_is_still_shared() -> None:
    e = event("COMPLETE", "2024-05-01T10:05:00Z")
    e["inputs"] = [{"namespace": "hive", "name": "t"}]
    nodes, _ = mapped(e)
    assert any(n.id.startswith("e:") and n.props.get("value") == "hive/t"
               for n in nodes.values())


@pytest.mark.parametrize(("kind", "status"), [("COMPLETE", "FINISHED"), ("FAIL", "ERROR"),
                                              ("ABORT", "ERROR")])
def test_out_of_order_events_merge_to_the_same_run(kind: str, status: str) -> None:
    start = event("START", "2024-05-01T10:00:00Z")
    end = event(kind, "2024-05-01T10:05:00Z", run_facets={
        "errorMessage": {"message": "boom", "programmingLanguage": "python",
                         "stackTrace": "Traceback..."}} if kind == "FAIL" else {})
    in_order, _ = mapped(start, end)
    reversed_, _ = mapped(end, start)
    twice, _ = mapped(end, start, end, start)
    for nodes in (in_order, reversed_, twice):
        props = nodes[RUN].props
        assert props["status"] == status
        assert props["started_at"] < props["ended_at"]
    assert in_order[RUN].props["status"] == reversed_[RUN].props["status"]
    if kind == "FAIL":
        assert reversed_[RUN].props["stderr"] == "boom\nTraceback..."


def test_nominal_time_and_facets_kept_by_name() -> None:
    e = event("START", "2024-05-01T10:00:00Z", run_facets={
        "nominalTime": {"nominalStartTime": "2024-05-01T00:00:00Z",
                        "nominalEndTime": "2024-05-02T00:00:00Z"}})
    e["job"]["facets"] = {"sql": {"query": "select 1"}}
    props = mapped(e)[0][RUN].props
    assert props["nominal_start_at"] == iso_time("2024-05-01T00:00:00Z")
    assert props["nominal_end_at"] == iso_time("2024-05-02T00:00:00Z")
    assert props["ol_job_facet_sql_json"] == '{"query":"select 1"}'
    assert "ol_run_facet_nominalTime_json" in props


def test_dataset_uri() -> None:
    assert dataset_uri("s3://bucket", "raw.csv") == "s3://bucket/raw.csv"
    assert dataset_uri("s3://bucket/", "/raw.csv") == "s3://bucket/raw.csv"
    assert dataset_uri("file://host", "/data/x.csv") == "/data/x.csv"
    assert dataset_uri("file", "relative.csv") == "file/relative.csv"


@pytest.mark.parametrize("broken", [
    lambda e: e.pop("run"),
    lambda e: e["job"].pop("name"),
    lambda e: e.update(eventType="LATER"),
    lambda e: e.update(eventTime="yesterday"),
    lambda e: e["inputs"][0].update(name=7),
])
def test_bad_events_raise_mapping_error_and_add_nothing(broken: Any) -> None:
    e = event("COMPLETE", "2024-05-01T10:05:00Z")
    broken(e)
    with pytest.raises(MappingError):
        map_batch([wire.openlineage_message(e)])
    bad: list[str] = []
    delta = map_batch([wire.openlineage_message(e)], on_error=lambda i, m, x: bad.append(str(x)))
    assert not delta.nodes and len(bad) == 1
