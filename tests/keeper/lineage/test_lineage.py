"""Lineage answers: both stores give the same answers on the same data (the diamond, a
chain across workflows, DAG order, failures, campaigns, values, paths, caps)."""

from __future__ import annotations

import copy
import tempfile
from collections.abc import Iterator
from typing import Any

import networkx as nx
import pytest

from keeper.lineage import api
from keeper.stores.base import Store
from keeper.stores.embedded import EmbeddedStore
from prov_model import map_batch
from provgraph.core.config import get_settings
from provgraph.core.errors import ArgumentError, CapExceededError, NotFoundError

RAW = "/data/raw/measurements.csv"
CLEAN = "the cleaned table, long enough to be shared"
LEFT = "features computed on the left branch"
RIGHT = "features computed on the right branch"
MODEL = "the trained model weights (a long value)"
REPORT = "/reports/final-report.pdf"


def task(task_id: str, workflow: str, activity: str, start: float, **fields: Any
         ) -> dict[str, Any]:
    return {"type": "task", "task_id": task_id, "workflow_id": workflow, "activity_id": activity,
            "status": "FINISHED", "started_at": start, "ended_at": start + 0.5, **fields}


def workflow(workflow_id: str, campaign: str = "camp", **fields: Any) -> dict[str, Any]:
    return {"type": "workflow", "workflow_id": workflow_id, "name": workflow_id,
            "campaign_id": campaign, **fields}


# The diamond: clean -> (left, right) -> join; then, in other workflows, train uses the
# join's output and report uses the model: a chain across three workflows.
MESSAGES = [
    workflow("wf-prep", started_at=1.0),
    workflow("wf-train", started_at=10.0),
    workflow("wf-report", started_at=20.0),
    task("clean", "wf-prep", "clean", 1.0, used={"path": RAW, "rows": 10},
         generated={"table": CLEAN}),
    task("left", "wf-prep", "featurize", 2.0, used={"table": CLEAN}, generated={"f": LEFT}),
    task("right", "wf-prep", "featurize", 2.1, used={"table": CLEAN}, generated={"f": RIGHT}),
    task("join", "wf-prep", "join", 3.0, used={"a": LEFT, "b": RIGHT},
         generated={"joined": [LEFT, RIGHT]}),
    task("train", "wf-train", "train", 10.0, used={"data": [LEFT, RIGHT], "epochs": 3},
         generated={"model": MODEL}),
    task("evaluate", "wf-train", "evaluate", 11.0, used={"model": MODEL}, status="ERROR",
         generated={"score": 0.5}),
    task("report", "wf-report", "report", 20.0, used={"model": MODEL},
         generated={"pdf": REPORT}),
    task("publish", "wf-report", "publish", 21.0, used={"pdf": REPORT}, dependencies=["report"]),
    # A chain longer than the default depth, in a campaign of its own.
    workflow("wf-chain", campaign="camp-chain"),
    *(task(f"c{k}", "wf-chain", "step", 100.0 + k,
           used={"x": f"/chain/step-{k - 1}.bin"} if k else {},
           generated={"y": f"/chain/step-{k}.bin"}) for k in range(25)),
]


@pytest.fixture(scope="module")
def embedded() -> Iterator[Store]:
    store = EmbeddedStore(tempfile.mkdtemp(prefix="lineage-"))
    store.write(map_batch(MESSAGES))
    yield store
    store.close()


@pytest.fixture(scope="module")
def neo4j() -> Iterator[Store]:
    from keeper.stores.neo4j import Neo4jStore

    settings = copy.deepcopy(get_settings())
    store = Neo4jStore.from_settings(settings)
    store.clear()
    store.write(map_batch(MESSAGES))
    yield store
    store.clear()
    store.close()


@pytest.fixture(params=["embedded", pytest.param("neo4j", marks=pytest.mark.integration)])
def store(request: pytest.FixtureRequest) -> Store:
    return request.getfixturevalue(request.param)  # type: ignore[no-any-return]


def ids(hits: list[dict[str, Any]], label: str = "Task") -> list[str]:
    return [hit["id"] for hit in hits if label in hit["labels"]]


def test_upstream_of_the_join_has_both_branches_and_nothing_downstream(store: Store) -> None:
    hits = api.upstream(store, "join", depth=10)
    assert sorted(ids(hits)) == ["clean", "left", "right"]
    by_id = {hit["id"]: hit for hit in hits}
    assert by_id["left"]["distance"] == by_id["right"]["distance"] == 1
    assert by_id["clean"]["distance"] == 2
    raw = api.value_id(RAW)
    assert by_id[raw]["distance"] == 3 and by_id[raw]["roles"][-1] == "path"
    assert by_id[raw]["props"]["value"] == RAW
    assert not hits.truncated and hits.complete_depth == 10


def test_a_sibling_is_not_pulled_in_by_the_other(store: Store) -> None:
    assert "right" not in ids(api.upstream(store, "left", depth=10))
    assert "right" not in ids(api.downstream(store, "left", depth=10))
    down = api.downstream(store, "left", depth=10)
    assert {"join", "train", "evaluate", "report", "publish"} <= set(ids(down))


def test_lineage_crosses_workflows_through_shared_values(store: Store) -> None:
    up = api.upstream(store, "publish", depth=10)
    assert {"report", "train", "left", "right"} <= set(ids(up))
    workflows = {hit["props"].get("workflow_id") for hit in up if "Task" in hit["labels"]}
    assert workflows == {"wf-report", "wf-train", "wf-prep"}
    links = api.workflow_links(store, "wf-train")
    assert [w["workflow_id"] for w in links["upstream"]] == ["wf-prep"]
    assert [w["workflow_id"] for w in links["downstream"]] == ["wf-report"]
    assert links["downstream"][0]["links"] == [
        {"task": "train", "entity": api.value_id(MODEL), "other": "report"}]


@pytest.mark.integration
def test_both_stores_give_the_same_answers(embedded: Store, neo4j: Store) -> None:
    for start in ("join", "left", "publish", RAW, "clean"):
        for way in ("upstream", "downstream"):
            for depth in (1, 2, 10):
                one = api.lineage(embedded, start, way, depth)
                two = api.lineage(neo4j, start, way, depth)
                assert one.as_dict() == two.as_dict(), (start, way, depth)
    assert api.workflow_dag(embedded, "wf-prep") == api.workflow_dag(neo4j, "wf-prep")
    assert api.path(embedded, "publish", RAW) == api.path(neo4j, "publish", RAW)
    assert api.campaign_summary(embedded, "camp") == api.campaign_summary(neo4j, "camp")
    assert api.tasks_using(embedded, CLEAN) == api.tasks_using(neo4j, CLEAN)
    assert api.impact_of_failures(embedded, "wf-train") == api.impact_of_failures(
        neo4j, "wf-train")
    assert api.workflow_links(embedded, "wf-train") == api.workflow_links(neo4j, "wf-train")

    for depth in (12, 30, 50):
        deep = api.upstream(embedded, "c24", depth)
        assert deep.as_dict() == api.upstream(neo4j, "c24", depth).as_dict()
    assert len(deep) == 24 + 24  # every earlier step and its output, past 10 hops
    capped = api.downstream(embedded, "c0", 30, limit=7)
    assert capped.truncated and capped.as_dict() == api.downstream(neo4j, "c0", 30,
                                                                   limit=7).as_dict()

    def edges(store: Store) -> list[tuple[str, str, str, str]]:
        rows = store.neighbourhood(["join", "train", api.value_id(MODEL) or ""], 1000)
        return sorted((r["type"], r["src"], r["dst"], r["role"] or "") for r in rows)

    assert edges(embedded) == edges(neo4j)


def test_depth_bounds_the_walk(store: Store) -> None:
    one = api.upstream(store, "join", depth=1)
    assert {hit["distance"] for hit in one} == {1}
    assert sorted(ids(one)) == ["left", "right"]
    assert all(edge["src"] == "join" for edge in one.edges)


def test_the_cap_says_it_was_hit(store: Store) -> None:
    capped = api.upstream(store, "publish", depth=10, limit=3)
    assert capped.truncated and len(capped) == 3
    assert capped.complete_depth < 10
    assert "exceeds the cap of 3 nodes" in capped.cap_message()


def test_shortest_path_both_ways(store: Store) -> None:
    found = api.path(store, "publish", RAW)
    assert found is not None and found["direction"] == "upstream"
    assert found["nodes"][0]["id"] == "publish" and found["nodes"][-1]["id"] == api.value_id(RAW)
    assert found["length"] == len(found["edges"]) == len(found["nodes"]) - 1
    back = api.path(store, RAW, "publish")
    assert back is not None and back["direction"] == "downstream"
    assert back["length"] == found["length"]
    assert api.path(store, "left", "right") is None
    assert api.path(store, "publish", RAW, depth=2) is None
    with pytest.raises(CapExceededError, match="cap of 3 visited nodes"):
        api.path(store, "publish", RAW, limit=3)


def test_workflow_dag_in_topological_order(store: Store) -> None:
    dag = api.workflow_dag(store, "wf-prep")
    order = [t["id"] for t in dag["tasks"]]
    assert order == ["clean", "left", "right", "join"]
    assert ["clean", "left"] in dag["edges"] and ["right", "join"] in dag["edges"]
    by_id = {t["id"]: t for t in dag["tasks"]}
    assert by_id["join"]["depends_on"] == ["left", "right"]
    graph = api.workflow_dag(store, "wf-report", as_graph=True)
    assert isinstance(graph, nx.DiGraph) and list(nx.topological_sort(graph)) == [
        "report", "publish"]
    assert api.workflow_dag(store, "wf-train")["tasks"][0]["external"] == ["join"]


def test_failed_tasks_and_what_they_affected(store: Store) -> None:
    impact = api.impact_of_failures(store, "wf-train")
    assert [f["task"]["id"] for f in impact["failed"]] == ["evaluate"]
    assert impact["failed"][0]["task"]["status"] == "ERROR"
    assert impact["affected_tasks"] == []  # its score is used by nothing
    assert api.impact_of_failures(store, "wf-prep")["failed"] == []


def test_campaign_overview(store: Store) -> None:
    summary = api.campaign_summary(store, "camp")
    assert [w["workflow_id"] for w in summary["workflows"]] == ["wf-prep", "wf-train",
                                                                "wf-report"]
    assert summary["tasks"] == 8 and summary["by_status"] == {"ERROR": 1, "FINISHED": 7}
    prep = summary["workflows"][0]
    assert prep["activities"] == {"clean": {"FINISHED": 1}, "featurize": {"FINISHED": 2},
                                  "join": {"FINISHED": 1}}
    assert summary["started_at"] == 1.0 and summary["ended_at"] == 21.5


def test_tasks_that_used_a_value(store: Store) -> None:
    found = api.tasks_using(store, CLEAN)
    assert [(u["id"], u["role"]) for u in found["used_by"]] == [("left", "table"),
                                                                ("right", "table")]
    assert [g["id"] for g in found["generated_by"]] == ["clean"]
    assert [u["id"] for u in api.tasks_using(store, RAW)["used_by"]] == ["clean"]
    with pytest.raises(ArgumentError, match="not shared between tasks"):
        api.tasks_using(store, 3)
    with pytest.raises(NotFoundError, match="no stored value"):
        api.tasks_using(store, "/never/stored/anywhere")


def test_results_as_networkx(store: Store) -> None:
    graph = api.upstream(store, "join", depth=2).to_networkx()
    assert isinstance(graph, nx.MultiDiGraph)
    assert graph.nodes["join"]["distance"] == 0
    assert graph.has_edge("join", "left") and graph.nodes["clean"]["distance"] == 2


def test_bad_input_is_named(store: Store) -> None:
    with pytest.raises(NotFoundError, match="no node with id 'nope'"):
        api.upstream(store, "nope")
    for depth in (0, 51, "3", True):
        with pytest.raises(ArgumentError, match="depth must be an integer from 1 to 50"):
            api.upstream(store, "join", depth=depth)  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match="limit"):
        api.downstream(store, "join", limit=0)
    with pytest.raises(NotFoundError, match="no workflow 'wf-none'"):
        api.workflow_dag(store, "wf-none")
    with pytest.raises(ArgumentError, match="not a workflow"):
        api.workflow_dag(store, "join")
    with pytest.raises(NotFoundError, match="no campaign"):
        api.campaign_summary(store, "wf-prep")


def test_neighbourhood_gives_every_edge_once(store: Store) -> None:
    rows = store.neighbourhood(["left", "join"], 1000)
    keys = sorted((r["type"], r["src"], r["dst"], r["role"] or "") for r in rows)
    assert len(keys) == len(set(keys))
    assert ("WAS_INFORMED_BY", "join", "left", "") in keys
    assert ("WAS_PART_OF", "left", "wf-prep", "") in keys
    assert ("USED", "left", api.value_id(CLEAN), "table") in keys
    assert len(store.neighbourhood(["left", "join"], 2)) == 2


@pytest.mark.integration
def test_a_neo4j_walk_is_one_read_with_the_per_hop_answers(
        neo4j: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    from keeper.stores.neo4j import lineage as neo4j_lineage

    ran: list[str] = []
    real = neo4j_lineage._InTransaction._rows

    def counted(self: Any, name: str, params: dict[str, Any]) -> Any:
        ran.append(name)
        return real(self, name, params)

    monkeypatch.setattr(neo4j_lineage._InTransaction, "_rows", counted)

    def both(start: str, way: str, depth: int, limit: int) -> tuple[dict[str, Any], list[str]]:
        ran.clear()
        setattr(neo4j, "_walk_in_one_read", False)  # noqa: B010 (the per-hop walk)
        per_hop = api.lineage(neo4j, start, way, depth, limit).as_dict()
        setattr(neo4j, "_walk_in_one_read", None)  # noqa: B010 (asked again)
        ran.clear()
        assert api.lineage(neo4j, start, way, depth, limit).as_dict() == per_hop, (
            start, way, depth, limit)
        return per_hop, list(ran)

    for start, way in (("c24", "upstream"), ("c0", "downstream"), ("publish", "upstream"),
                       ("clean", "downstream"), (RAW, "downstream")):
        for depth in (2, 5, 10):
            for limit in (1, 2, 3, 7, 1000):
                answer, statements = both(start, way, depth, limit)
                walks = [s for s in statements if s.startswith("lineage/walk_")]
                assert len(walks) == 1, statements
                if answer["hits"] and statements[1:] != walks:  # fell back: cap hit
                    assert answer["truncated"], (start, way, depth, limit, statements)
    _, statements = both("c24", "upstream", 10, 1000)
    assert statements == ["lineage/nodes_by_ids", "lineage/walk_upstream"]
    _, statements = both("c24", "upstream", 12, 1000)  # deeper: one read per hop
    assert "lineage/walk_upstream" not in statements


@pytest.mark.integration
def test_the_overview_counts_are_the_same_on_both_stores_and_the_default(
        embedded: Store, neo4j: Store) -> None:
    from keeper.stores.lineage import LineageReads

    def key(row: dict[str, Any]) -> tuple[str, ...]:
        return tuple(str(v) for v in row.values())

    for wf in ("wf-prep", "wf-train", "wf-report", "wf-chain", "missing"):
        links = sorted(embedded.activity_links(wf), key=key)
        assert links == sorted(neo4j.activity_links(wf), key=key), wf
        assert links == sorted(LineageReads.activity_links(embedded, wf), key=key), wf
        counts = sorted(embedded.task_counts([wf]), key=key)
        assert counts == sorted(neo4j.task_counts([wf]), key=key), wf
        assert counts == sorted(LineageReads.task_counts(embedded, [wf]), key=key), wf
    assert any(not row["inside"] for row in embedded.activity_links("wf-train"))
