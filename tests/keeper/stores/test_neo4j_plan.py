"""The Neo4j write plan: CREATE what the probe proves new, MERGE the rest; value flow
computed by the keeper. The graph must be exactly what the MERGE statements alone write,
and what the embedded store holds for the same messages."""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from keeper.stores.embedded import EmbeddedStore
from keeper.stores.neo4j import Neo4jStore, plan, value_flow
from prov_model import VALUE_FLOW_MAX_FANOUT, map_batch
from prov_model.delta import GraphDelta
from provgraph.core.config import Settings, get_settings
from tests.keeper.stores.test_neo4j_store import LONG_A, LONG_B, WF, eid, snapshot, task


def batch() -> list[dict[str, Any]]:
    return [
        {"type": "workflow", "workflow_id": WF, "campaign_id": "c", "user": "u"},
        task("t0", activity_id="f", agent_id="bot", generated={"out": LONG_A, "n": 1}),
        task("t1", used={"x": LONG_A, "k": 2}, generated={"y": LONG_B}, dependencies=["t0"]),
        task("t2", parent_task_id="t1", used={"k": 2}),
    ]


# --- the plan, without a server -------------------------------------------------------------


def rows_of(statements: list[plan.Statement]) -> dict[str, list[dict[str, Any]]]:
    return {statement.name: statement.rows for statement in statements}


def test_a_first_batch_is_all_created_but_stubs_and_workflows() -> None:
    statements = plan.statements(map_batch(batch()), plan.Stored())
    rows = rows_of(statements)
    (tasks,) = [s for s in statements if s.name == plan.CREATE_TASK_BATCH]
    by_id = {r["id"]: r for r in tasks.rows}
    activities, entities = tasks.params["activities"], tasks.params["entities"]
    # t0 and t1 are created with their part-of edge to the workflow; t2's parent is new
    assert activities == [WF]
    assert {i: r["parent"] for i, r in by_id.items()} == {"t0": 0, "t1": 0, "t2": None}
    assert {(r["src"], r["dst"]) for r in rows["ingest/create_was_part_of"]} == {("t2", "t1")}
    # a new entity with one edge is created with it; LONG_A has two (t0 makes, t1 uses),
    # so it is created first and the batch points at it
    assert [r["id"] for r in rows["ingest/create_entities"]] == [eid(LONG_A)]
    assert entities == [eid(LONG_A)]
    assert [u["id"] for u in by_id["t1"]["used_new"]] == ["t1/used/k"]
    assert [u["id"] for u in by_id["t2"]["used_new"]] == ["t2/used/k"]
    assert [g["id"] for g in by_id["t0"]["made_new"]] == ["t0/generated/n"]
    assert [g["id"] for g in by_id["t1"]["made_new"]] == [eid(LONG_B)]
    assert [(u["node"], u["edge"]["role"]) for u in by_id["t1"]["uses"]] == [(0, "x")]
    assert [(g["node"], g["edge"]["role"]) for g in by_id["t0"]["made"]] == [(0, "out")]
    assert plan.expected_creates(tasks.name, tasks.rows) == (3 + 4, 2 + 4 + 2)
    assert "ingest/create_used_entities" not in rows and "ingest/create_used" not in rows
    assert {r["id"] for r in rows["ingest/merge_workflows"]} == {WF}
    assert "ingest/merge_tasks" not in rows and "ingest/merge_entities" not in rows
    # the workflow's own edges join merged nodes: merged
    assert {(r["src"], r["dst"]) for r in rows["ingest/merge_was_part_of"]} == {(WF, "c")}
    assert {(r["src"], r["dst"]) for r in rows["ingest/merge_was_associated_with"]} == {
        (WF, "person:u")}
    assert [r["dst"] for r in rows["ingest/create_was_informed_by"]] == ["t0"]
    names = [s.name for s in statements]
    assert names.index("ingest/merge_workflows") < names.index(plan.CREATE_TASK_BATCH)
    assert names.index("ingest/create_entities") < names.index(plan.CREATE_TASK_BATCH)


def test_stored_nodes_and_the_edges_between_them_are_merged() -> None:
    delta = map_batch(batch())
    rows = rows_of(plan.statements(delta, plan.Stored({"t0"}, {eid(LONG_A)})))
    assert {r["id"] for r in rows["ingest/merge_tasks"]} == {"t0"}
    assert {r["id"] for r in rows["ingest/merge_entities"]} == {eid(LONG_A), "t0/generated/n"}
    assert "ingest/create_entities" not in rows  # LONG_B and the locals: with their edge
    merged = {(r["src"], r["dst"]) for r in rows["ingest/merge_was_generated_by"]}
    assert merged == {(eid(LONG_A), "t0"), ("t0/generated/n", "t0")}
    (tasks,) = [s for s in plan.statements(delta, plan.Stored({"t0"}, {eid(LONG_A)}))
                if s.name == plan.CREATE_TASK_BATCH]
    assert {r["id"] for r in tasks.rows} == {"t1", "t2"}  # new tasks, created
    (t1,) = [r for r in tasks.rows if r["id"] == "t1"]
    assert [tasks.params["entities"][u["node"]] for u in t1["uses"]] == [eid(LONG_A)]


def test_without_a_probe_everything_is_merged() -> None:
    rows = rows_of(plan.statements(map_batch(batch()), None))
    assert not [name for name in rows if "create_" in name]
    assert {r["id"] for r in rows["ingest/merge_tasks"]} == {"t0", "t1", "t2"}


def test_value_flow_of_new_entities_needs_no_lookup() -> None:
    fetched: list[str] = []

    def fetch(name: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        fetched.append(name)
        return []

    rows = value_flow.derived_rows(map_batch(batch()), set(), fetch)
    assert rows == [{"src": "t1", "dst": "t0", "props": {"derived": True}}]
    assert fetched == []


def test_value_flow_looks_up_stored_entities_only() -> None:
    calls: list[tuple[str, list[str]]] = []

    def fetch(name: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        calls.append((name, params["ids"]))
        assert params["max_fanout"] == VALUE_FLOW_MAX_FANOUT
        if name == value_flow.GENERATORS:  # LONG_A was generated earlier by "old"
            return [{"id": eid(LONG_A), "n": 2, "activities": [["old", True], ["t0", True]]}]
        return [{"id": eid(LONG_B), "n": 1, "activities": [["later", True], ["t1", True]]}]

    delta = map_batch(batch())
    rows = value_flow.derived_rows(delta, {eid(LONG_A), eid(LONG_B)}, fetch)
    assert calls == [(value_flow.GENERATORS, [eid(LONG_A)]),
                     (value_flow.CONSUMERS, [eid(LONG_A), eid(LONG_B)])]
    assert {(r["src"], r["dst"]) for r in rows} == {("t1", "t0"), ("t1", "old"), ("later", "t1")}


def test_value_flow_respects_the_fanout_guard_of_stored_entities() -> None:
    def fetch(name: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        return [{"id": i, "n": VALUE_FLOW_MAX_FANOUT + 1, "activities": []} for i in params["ids"]]

    rows = value_flow.derived_rows(map_batch(batch()), None, fetch)
    assert rows == []  # LONG_A has too many generators; LONG_B's consumers are not read


# --- against the real server -----------------------------------------------------------------

SCENARIOS: dict[str, list[list[dict[str, Any]]]] = {
    "one batch": [batch()],
    "consumer first, then producer": [
        [task("c", used={"x": LONG_A})], [task("p", generated={"y": LONG_A})]],
    "producer first, then consumer": [
        [task("p", generated={"y": LONG_A})], [task("c", used={"x": LONG_A})]],
    "running then finished, and again": [
        [task("r", status="RUNNING", used={"x": LONG_A}, started_at=1.0)],
        [task("r", status="FINISHED", generated={"y": LONG_B}, ended_at=2.0)],
        [task("r", status="RUNNING", used={"x": LONG_A}, started_at=1.0)],
        [task("s", used={"y": LONG_B})]],
    "a chain over batches": [
        [task(f"k{i}", used={"v": f"{LONG_A} {i}"}, generated={"v": f"{LONG_A} {i + 1}"})]
        for i in range(5)],
    "the same batch twice": [batch(), batch()],
}


@pytest.fixture(scope="module")
def neo4j_settings() -> Settings:
    settings = copy.deepcopy(get_settings())
    settings.store.kind = "neo4j"
    return settings


@pytest.fixture
def store(neo4j_settings: Settings) -> Iterator[Neo4jStore]:
    opened = Neo4jStore.from_settings(neo4j_settings)
    opened.clear()
    yield opened
    opened.clear()
    opened.close()


def merged_only(store: Neo4jStore, delta: GraphDelta) -> None:
    """The write without a probe: every row through the MERGE statements (the fallback)."""
    store._write(delta, probe=False)


@pytest.mark.integration
@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_the_plan_writes_what_merging_and_the_embedded_store_write(
        store: Neo4jStore, name: str, tmp_path: Path) -> None:
    graphs = {}
    for way, write in (("merge", merged_only), ("plan", Neo4jStore.write)):
        store.clear()
        for messages in SCENARIOS[name]:
            write(store, map_batch(messages))
        graphs[way] = snapshot(store)
    embedded = EmbeddedStore(tmp_path / "embedded")
    for messages in SCENARIOS[name]:
        embedded.write(map_batch(messages))
    graphs["embedded"] = snapshot(embedded)  # type: ignore[arg-type]
    embedded.close()
    assert graphs["plan"] == graphs["merge"]
    assert graphs["plan"] == graphs["embedded"]


@pytest.mark.integration
def test_a_stale_probe_falls_back_to_merge(store: Neo4jStore,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    store.write(map_batch(batch()))
    before = snapshot(store)
    # What a concurrent keeper's write between probe and CREATE looks like: the probe
    # finds nothing, the CREATE meets the id constraint.
    monkeypatch.setattr(plan, "probe_ids", lambda delta: ([], []))
    store.write(map_batch(batch()))
    assert store.write_stats.merge_fallbacks == 1
    assert snapshot(store) == before


@pytest.mark.integration
def test_two_writers_creating_the_same_tasks_store_each_once(
        store: Neo4jStore, neo4j_settings: Settings) -> None:
    other = Neo4jStore.from_settings(neo4j_settings)
    messages = [task(f"x{i}", used={"d": LONG_A}, generated={"o": f"{LONG_B} {i}"})
                for i in range(300)]
    errors: list[BaseException] = []

    def run(target: Neo4jStore) -> None:
        try:
            for start in range(0, len(messages), 50):
                target.write(map_batch(messages[start:start + 50]))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(s,)) for s in (store, other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    other.close()
    assert errors == []
    assert len(store.find_nodes("Task", {"workflow_id": WF})) == 300
    counts = store.counts()["edges"]
    assert counts["USED"] == 300 and counts["WAS_GENERATED_BY"] == 300
