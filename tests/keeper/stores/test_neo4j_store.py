"""The Neo4j store against the real server that ``make services`` starts.

Every test starts and ends with an empty database (``clear()``), so they must not run at the
same time as other tests using the same server.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from neo4j import exceptions as neo4j_errors

from keeper.stores.base import open_store, store_class
from keeper.stores.neo4j import Neo4jStore, store_error
from keeper.stores.neo4j.reads import ordered_labels
from prov_model import GraphDelta, Node, entity_node, map_batch, merge_task_props
from prov_model.config import EntitySettings
from provgraph.core.config import Settings, get_settings
from provgraph.core.errors import QueryError, StoreError, StoreUnavailableError

pytestmark = pytest.mark.integration

LONG_A = "a long string value shared by tasks"
LONG_B = "another long value that tasks pass"
SETTINGS = EntitySettings()
WF = "wf-neo4j-test"


def eid(value: Any) -> str:
    """The id of the entity a value maps to (content-addressed when it is shared)."""
    return entity_node(value, "<local>", SETTINGS).id


def task(task_id: str, **fields: Any) -> dict[str, Any]:
    return {"type": "task", "task_id": task_id, "workflow_id": WF, **fields}


@pytest.fixture(scope="module")
def neo4j_settings() -> Settings:
    settings = copy.deepcopy(get_settings())  # never modify the process settings
    settings.store.kind = "neo4j"
    return settings


@pytest.fixture(scope="module")
def opened(neo4j_settings: Settings) -> Iterator[Neo4jStore]:
    store = Neo4jStore.from_settings(neo4j_settings)
    yield store
    store.close()


@pytest.fixture
def store(opened: Neo4jStore) -> Iterator[Neo4jStore]:
    opened.clear()
    opened.batch_size = 2000
    opened.page_size = 1000
    yield opened
    opened.clear()


def write(store: Neo4jStore, *messages: dict[str, Any]) -> GraphDelta:
    delta = map_batch(messages)
    store.write(delta)
    return delta


def snapshot(store: Neo4jStore) -> tuple[Any, ...]:
    nodes = sorted((n["id"], tuple(n["labels"]), sorted(n["props"].items()))
                   for n in store.iter_nodes())
    edges = sorted((e["type"], e["src"], e["dst"], sorted(e["props"].items()))
                   for e in store.iter_edges())
    return store.counts(), nodes, edges


# --- opening ------------------------------------------------------------------------------


def test_registered_and_opened_by_kind(neo4j_settings: Settings) -> None:
    assert store_class("neo4j") is Neo4jStore
    store = open_store(neo4j_settings)
    try:
        assert isinstance(store, Neo4jStore)
        assert store.alive()
    finally:
        store.close()
        store.close()  # idempotent
    assert not store.alive()
    with pytest.raises(StoreError, match="closed"):
        store.get_node("x")


def test_closed_port_is_unavailable(neo4j_settings: Settings) -> None:
    settings = copy.deepcopy(neo4j_settings)
    settings.store.neo4j.uri = "bolt://127.0.0.1:1"
    with pytest.raises(StoreUnavailableError, match=r"127\.0\.0\.1:1"):
        Neo4jStore.from_settings(settings)


def test_schema_exists_after_open(store: Neo4jStore) -> None:
    rows = store.run_read("SHOW CONSTRAINTS YIELD labelsOrTypes, properties", {})
    constrained = {row["labelsOrTypes"][0] for row in rows if row["properties"] == ["id"]}
    assert constrained >= {"Activity", "Entity", "Agent", "Task", "Workflow", "Campaign",
                           "Plan", "Person", "SoftwareAgent"}


def test_error_mapping() -> None:
    assert isinstance(store_error(neo4j_errors.ServiceUnavailable("down"), "x"),
                      StoreUnavailableError)
    assert isinstance(store_error(neo4j_errors.SessionExpired("gone"), "x"),
                      StoreUnavailableError)
    assert isinstance(store_error(ConnectionRefusedError(111, "refused"), "x"),
                      StoreUnavailableError)

    class RateLimited(Exception):
        code = "Neo.ClientError.Security.AuthenticationRateLimit"
        message = "too many attempts"

    assert isinstance(store_error(RateLimited(), "x"), StoreUnavailableError)
    other = store_error(ValueError("boom"), "statement ingest/merge_tasks")
    assert type(other) is StoreError and "ingest/merge_tasks" in str(other)


# --- writing ------------------------------------------------------------------------------


FULL_TASK = task(
    "t1", status="FINISHED", started_at=10.0, ended_at=11.5, hostname="node1",
    used={"data": LONG_A, "epoch": 3}, generated={"result": LONG_B}, user="alice",
    agent_id="bot-7", code={"module": "m", "qualname": "f", "source_hash": "abc"},
)


def test_write_stores_exactly_the_delta(store: Neo4jStore) -> None:
    delta = write(store, FULL_TASK)
    plan_id = "plan:m:f@abc"
    assert store.counts() == {
        "nodes": {"Activity": 2, "Task": 1, "Workflow": 1, "Entity": 4, "Plan": 1,
                  "Agent": 2, "Person": 1, "SoftwareAgent": 1},
        "edges": {"USED": 2, "WAS_GENERATED_BY": 1, "WAS_PART_OF": 1, "WAS_ASSOCIATED_WITH": 2},
    }
    for node in delta.nodes:
        assert store.get_node(node.id) == {
            "id": node.id, "labels": list(node.labels), "props": node.props}
    t1 = store.get_node("t1")
    assert t1 is not None
    assert t1["labels"] == ["Activity", "Task"]
    assert t1["props"]["status"] == "FINISHED" and t1["props"]["plan_id"] == plan_id
    assert store.get_node(WF) == {"id": WF, "labels": ["Activity", "Workflow"], "props": {}}
    shared = store.get_node(eid(LONG_A))
    assert shared is not None and shared["props"]["value"] == LONG_A
    assert shared["props"]["value_type"] == "string"
    assert store.get_node("t1/used/epoch") == {
        "id": "t1/used/epoch", "labels": ["Entity"],
        "props": {"value_type": "integer", "size_bytes": 1, "value": 3}}
    assert store.get_node("nope") is None
    expected_edges = sorted((e.type, e.src, e.dst, sorted(e.props.items())) for e in delta.edges)
    assert snapshot(store)[2] == expected_edges
    assert ("WAS_ASSOCIATED_WITH", "t1", "person:alice", [("plan", plan_id)]) in expected_edges


def test_same_delta_twice_changes_nothing(store: Neo4jStore) -> None:
    delta = map_batch([FULL_TASK, task("t2", used={"x": LONG_B}, status="FINISHED")])
    store.write(delta)
    first = snapshot(store)
    store.write(delta)
    assert snapshot(store) == first
    assert first[0]["edges"]["WAS_INFORMED_BY"] == 1


def test_empty_delta_is_a_no_op(store: Neo4jStore) -> None:
    store.write(GraphDelta())
    assert store.counts() == {"nodes": {}, "edges": {}}


def test_small_batches_give_the_same_graph(store: Neo4jStore) -> None:
    messages = [task(f"t{i}", status="FINISHED", started_at=float(i),
                     used={"a": LONG_A, "i": i}, generated={"out": f"{LONG_B} {i}"})
                for i in range(7)]
    write(store, *messages)
    reference = snapshot(store)
    store.clear()
    store.batch_size = 2
    write(store, *messages)
    assert snapshot(store) == reference
    assert reference[0]["nodes"]["Task"] == 7


RUNNING = task("tr", status="RUNNING", started_at=1.0, hostname="h1",
               telemetry_at_start={"cpu": {"percent_all": 12.5}})
FINISHED = task("tr", status="FINISHED", started_at=1.0, ended_at=2.0, hostname="h2",
                generated={"y": LONG_B})


@pytest.mark.parametrize("order", ["running_first", "finished_first"])
def test_finished_survives_either_order(store: Neo4jStore, order: str) -> None:
    first, second = (RUNNING, FINISHED) if order == "running_first" else (FINISHED, RUNNING)
    write(store, first)
    write(store, second)
    node = store.get_node("tr")
    assert node is not None
    props = node["props"]
    assert props["status"] == "FINISHED" and props["ended_at"] == 2.0
    assert props["cpu_percent_start"] == 12.5  # the RUNNING message still fills its fields
    old, new = (map_batch([m]).node_map()["tr"].props for m in (first, second))
    assert props == merge_task_props(old, new)
    assert props["hostname"] == "h2"  # FINISHED's, whatever the order


def test_stub_does_not_erase_a_stored_node(store: Neo4jStore) -> None:
    write(store, task("parent", status="FINISHED", started_at=1.0))
    write(store, task("child", parent_task_id="parent", status="FINISHED"))
    parent = store.get_node("parent")
    assert parent is not None and parent["props"]["status"] == "FINISHED"
    assert store.edges("child", "out", ("WAS_PART_OF",)) == [
        {"type": "WAS_PART_OF", "src": "child", "dst": "parent", "props": {}}]


@pytest.mark.parametrize("order", ["producer_first", "consumer_first", "same_write"])
def test_value_flow_informed_by_in_any_order(store: Neo4jStore, order: str) -> None:
    producer = task("p", status="FINISHED", generated={"out": LONG_A})
    consumer = task("c", status="FINISHED", used={"inp": LONG_A})
    if order == "same_write":
        write(store, producer, consumer)
    else:
        first, second = (producer, consumer) if order == "producer_first" else (consumer, producer)
        write(store, first)
        write(store, second)
    assert store.edges("c", "out", ("WAS_INFORMED_BY",)) == [
        {"type": "WAS_INFORMED_BY", "src": "c", "dst": "p", "props": {"derived": True}}]
    assert store.counts()["edges"]["WAS_INFORMED_BY"] == 1


def test_declared_and_derived_dependency_is_one_edge(store: Neo4jStore) -> None:
    write(store, task("p", generated={"out": LONG_A}))
    write(store, task("c", used={"inp": LONG_A}, dependencies=["p"]))
    assert store.edges("c", "out", ("WAS_INFORMED_BY",)) == [
        {"type": "WAS_INFORMED_BY", "src": "c", "dst": "p",
         "props": {"declared": True, "derived": True}}]


def test_trivial_values_do_not_link_tasks(store: Neo4jStore) -> None:
    write(store, task("p", generated={"out": 3}), task("c", used={"inp": 3}))
    assert "WAS_INFORMED_BY" not in store.counts()["edges"]


def test_failed_write_is_all_or_nothing_and_names_the_statement(store: Neo4jStore) -> None:
    bad = GraphDelta(nodes=[
        Node(WF, ("Activity", "Workflow"), {"name": "ok"}),
        Node("t-bad", ("Activity", "Task"), {"nested": {"not": "allowed"}}),  # type: ignore[dict-item]
    ])
    with pytest.raises(StoreError, match="ingest/create_task_batch") as info:
        store.write(bad)
    assert not isinstance(info.value, StoreUnavailableError)
    assert store.get_node(WF) is None  # the workflow of the same transaction is rolled back


# --- reading ------------------------------------------------------------------------------


def diamond(store: Neo4jStore) -> dict[str, str]:
    """t0 generates A; t1 and t2 use A and generate B and C; t3 uses B and C."""
    a, b, c = (f"{LONG_A} {x}" for x in "ABC")
    write(store,
          task("t0", generated={"a": a}, status="FINISHED"),
          task("t1", used={"a": a}, generated={"b": b}, status="FINISHED"),
          task("t2", used={"a": a}, generated={"c": c}, status="FINISHED"),
          task("t3", used={"b": b, "c": c}, status="FINISHED"))
    return {"A": eid(a), "B": eid(b), "C": eid(c)}


def hits(items: list[dict[str, Any]]) -> list[tuple[str, int]]:
    return [(hit["id"], hit["distance"]) for hit in items]


def test_upstream_on_a_diamond(store: Neo4jStore) -> None:
    e = diamond(store)
    one = sorted([(e["B"], 1), (e["C"], 1), ("t1", 1), ("t2", 1)])
    two = sorted([(e["A"], 2), ("t0", 2)])
    assert hits(store.upstream("t3")) == one + two
    assert hits(store.upstream("t3", depth=1)) == one
    assert hits(store.upstream("t3", depth=2)) == one + two
    assert hits(store.upstream(e["B"], depth=10)) == [("t1", 1), *sorted([(e["A"], 2), ("t0", 2)])]
    assert hits(store.upstream("t0")) == []
    labels = {hit["id"]: hit["labels"] for hit in store.upstream("t3")}
    assert labels["t1"] == ["Activity", "Task"] and labels[e["A"]] == ["Entity"]


def test_downstream_on_a_diamond(store: Neo4jStore) -> None:
    e = diamond(store)
    assert hits(store.downstream("t0")) == sorted(
        [(e["A"], 1), ("t1", 1), ("t2", 1)]) + sorted([(e["B"], 2), (e["C"], 2), ("t3", 2)])
    assert hits(store.downstream("t0", depth=1)) == sorted([(e["A"], 1), ("t1", 1), ("t2", 1)])
    assert hits(store.downstream(e["A"], depth=1)) == [("t1", 1), ("t2", 1)]
    assert hits(store.downstream(e["A"])) == [
        ("t1", 1), ("t2", 1), *sorted([(e["B"], 2), (e["C"], 2), ("t3", 2)])]
    assert hits(store.downstream("t3")) == []
    assert store.downstream("missing") == []


def test_lineage_on_a_deep_chain(store: Neo4jStore) -> None:
    values = [f"{LONG_A} #{i}" for i in range(25)]
    write(store, task("c0", generated={"v": values[0]}),
          *(task(f"c{i}", used={"v": values[i - 1]}, generated={"v": values[i]})
            for i in range(1, 25)))
    deep = store.upstream("c24", depth=22)
    assert {(hit["id"], hit["distance"]) for hit in deep if not hit["id"].startswith("e:")} == {
        (f"c{k}", 24 - k) for k in range(2, 24)}
    assert max(hit["distance"] for hit in deep) == 22
    assert len(store.downstream("c0", depth=50)) == 49  # c1..c24 and the 25 values


def test_lineage_never_returns_its_start_node(store: Neo4jStore) -> None:
    write(store, task("loop", used={"x": LONG_A}, generated={"x": LONG_A}))  # used = generated
    assert hits(store.upstream("loop")) == [(eid(LONG_A), 1)]
    assert hits(store.downstream("loop")) == [(eid(LONG_A), 1)]


@pytest.mark.parametrize("depth", [0, 51, -1, True, 2.0])
def test_lineage_depth_is_checked(store: Neo4jStore, depth: Any) -> None:
    with pytest.raises(StoreError, match="depth"):
        store.upstream("t", depth=depth)
    with pytest.raises(StoreError, match="depth"):
        store.downstream("t", depth=depth)


def test_find_nodes(store: Neo4jStore) -> None:
    write(store,
          task("f1", status="FINISHED", started_at=3.0, activity_id="train", tags=["a", "b"]),
          task("f2", status="ERROR", started_at=1.0, activity_id="train"),
          task("f3", status="FINISHED", activity_id="eval"),  # no started_at: last
          task("g1", workflow_id="other-wf", status="FINISHED", started_at=0.5),
          {"type": "workflow", "workflow_id": WF, "name": "my-flow", "started_at": 0.1})

    def ids(label: str, where: dict[str, Any] | None = None, limit: int | None = None) -> list:
        return [n["id"] for n in store.find_nodes(label, where, limit)]

    assert ids("Task", {"workflow_id": WF}) == ["f2", "f1", "f3"]
    assert ids("Task") == ["g1", "f2", "f1", "f3"]
    assert ids("Task", {"workflow_id": WF}, limit=2) == ["f2", "f1"]
    assert ids("Task", limit=0) == []
    assert ids("Task", {"status": "FINISHED"}) == ["g1", "f1", "f3"]
    assert ids("Task", {"status": "FINISHED", "workflow_id": WF}) == ["f1", "f3"]
    assert ids("Task", {"activity_id": "train", "status": "ERROR"}) == ["f2"]
    assert ids("Task", {"tags": ["a", "b"]}) == ["f1"]
    assert ids("Task", {"workflow_id": WF, "started_at": None}) == ["f3"]
    assert ids("Task", {"id": "f1"}) == ["f1"]
    assert ids("Task", {"id": "f1", "status": "ERROR"}) == []
    assert ids("Workflow", {"id": "f1"}) == []
    assert ids("Activity", {"id": "f1"}) == ["f1"]
    assert ids("Workflow", {"name": "my-flow"}) == [WF]
    assert ids("Workflow") == [WF, "other-wf"]  # other-wf: a stub without started_at
    assert ids("Activity", {"workflow_id": "other-wf"}) == ["g1"]
    assert ids("Task", {"status": "nope"}) == []
    nodes = store.find_nodes("Workflow", {"name": "my-flow"})
    assert nodes[0]["labels"] == ["Activity", "Workflow"]
    assert nodes[0]["props"] == {"name": "my-flow", "started_at": 0.1}
    with pytest.raises(StoreError, match="unknown label"):
        store.find_nodes("Task) DETACH DELETE (n", {})
    with pytest.raises(StoreError):
        store.find_nodes("Task", {"x": {"nested": 1}})


def test_find_entities_and_plans(store: Neo4jStore) -> None:
    write(store, FULL_TASK)
    assert [n["id"] for n in store.find_nodes("Entity", {"value": LONG_A})] == [eid(LONG_A)]
    plans = store.find_nodes("Plan")
    assert [p["id"] for p in plans] == ["plan:m:f@abc"]
    assert plans[0]["labels"] == ["Entity", "Plan"]
    assert [a["id"] for a in store.find_nodes("Agent")] == ["agent:bot-7", "person:alice"]


def test_edges_by_direction_and_type(store: Neo4jStore) -> None:
    write(store, FULL_TASK)
    out = store.edges("t1", "out")
    assert {e["type"] for e in out} == {"USED", "WAS_PART_OF", "WAS_ASSOCIATED_WITH"}
    assert all(e["src"] == "t1" for e in out) and len(out) == 5
    assert store.edges("t1", "in") == [{"type": "WAS_GENERATED_BY", "src": eid(LONG_B),
                                        "dst": "t1", "props": {"role": "result", "time": 11.5}}]
    assert len(store.edges("t1")) == 6
    used = store.edges("t1", "both", ("USED",))
    assert sorted((e["dst"], e["props"]["role"]) for e in used) == sorted(
        [(eid(LONG_A), "data"), ("t1/used/epoch", "epoch")])
    assert store.edges("nope") == []
    with pytest.raises(StoreError, match="direction"):
        store.edges("t1", "sideways")


def test_iter_nodes_and_edges_page_through_everything(store: Neo4jStore) -> None:
    messages = [task(f"i{i:02d}", status="FINISHED", user=f"u{i % 3}",
                     used={"a": LONG_A, "n": i}, generated={"o": f"{LONG_B} {i}"})
                for i in range(20)]
    write(store, *messages)
    counts = store.counts()
    store.page_size = 3
    nodes = list(store.iter_nodes())
    assert len(nodes) == len({n["id"] for n in nodes})
    per_label = Counter(label for n in nodes for label in n["labels"])
    assert dict(per_label) == counts["nodes"]
    edges = list(store.iter_edges())
    assert dict(Counter(e["type"] for e in edges)) == counts["edges"]
    assert len({(e["type"], e["src"], e["dst"], e["props"].get("role")) for e in edges}) == len(
        edges)
    tasks = list(store.iter_nodes(("Task",)))
    assert sorted(n["id"] for n in tasks) == [f"i{i:02d}" for i in range(20)]
    mixed = list(store.iter_nodes(("Activity", "Task", "Person")))
    assert len(mixed) == counts["nodes"]["Activity"] + counts["nodes"]["Person"]
    used = list(store.iter_edges(("USED",)))
    assert len(used) == counts["edges"]["USED"] == 40
    assert list(store.iter_nodes(("Campaign",))) == []
    with pytest.raises(StoreError, match="unknown label"):
        list(store.iter_nodes(("Nope",)))


def test_counts_every_label(store: Neo4jStore) -> None:
    write(store, {"type": "workflow", "workflow_id": "w", "campaign_id": "camp"})
    assert store.counts() == {"nodes": {"Activity": 2, "Workflow": 1, "Campaign": 1},
                              "edges": {"WAS_PART_OF": 1}}


def test_labels_are_general_first() -> None:
    assert ordered_labels(["Task", "Activity"]) == ["Activity", "Task"]
    assert ordered_labels(["Plan", "Entity"]) == ["Entity", "Plan"]
    assert ordered_labels(["SoftwareAgent", "Zed", "Agent"]) == ["Agent", "SoftwareAgent", "Zed"]


def test_clear_empties_the_graph(store: Neo4jStore) -> None:
    write(store, FULL_TASK)
    store.clear()
    assert store.counts() == {"nodes": {}, "edges": {}}
    assert list(store.iter_nodes()) == []


# --- user queries -------------------------------------------------------------------------


def test_run_read_returns_plain_rows(store: Neo4jStore) -> None:
    write(store, FULL_TASK)
    rows = store.run_read(
        "MATCH (t:Task {id: $id})-[r:USED]->(e) RETURN t, r, e.id AS eid ORDER BY eid",
        {"id": "t1"})
    assert len(rows) == 2
    assert rows[0]["t"]["labels"] == ["Activity", "Task"] and rows[0]["t"]["id"] == "t1"
    assert rows[0]["r"]["type"] == "USED" and rows[0]["r"]["src"] == "t1"
    assert [row["eid"] for row in rows] == sorted([eid(LONG_A), "t1/used/epoch"])
    assert len(store.run_read("UNWIND range(1, 100) AS x RETURN x", {}, limit=7)) == 7
    path = store.run_read("MATCH p = (:Task)-[:WAS_PART_OF]->() RETURN p", {})[0]["p"]
    assert [n["id"] for n in path["nodes"]] == ["t1", WF]


@pytest.mark.parametrize("query", [
    "CREATE (n)",
    "MATCH (n) DETACH DELETE n",
    "MERGE (n:Task {id: 'x'}) RETURN n",
    "MATCH (n:Task) SET n.hacked = true",
    "CREATE INDEX x IF NOT EXISTS FOR (n:Foo) ON (n.bar)",
])
def test_run_read_rejects_writes(store: Neo4jStore, query: str) -> None:
    write(store, FULL_TASK)
    before = snapshot(store)
    with pytest.raises(QueryError):
        store.run_read(query, {})
    assert snapshot(store) == before


def test_run_read_rejects_bad_queries(store: Neo4jStore) -> None:
    with pytest.raises(QueryError):
        store.run_read("MATCH (n RETURN n", {})
    with pytest.raises(QueryError):
        store.run_read("", {})
