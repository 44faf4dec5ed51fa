"""The embedded store (keeper/stores/embedded*.py): no servers, a private directory per test."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import orjson
import pytest

from keeper.lineage import api
from keeper.stores.base import Store, open_store, store_class
from keeper.stores.embedded import EmbeddedStore
from prov_model import (
    VALUE_FLOW_MAX_FANOUT,
    GraphDelta,
    Node,
    canonical_json,
    content_id,
    map_batch,
)
from provgraph.core.config import Settings, load_settings
from provgraph.core.errors import StoreError, StoreUnavailableError

REPO = Path(__file__).resolve().parents[3]
LONG_A = "a long string value shared by tasks"
LONG_B = "another long value that tasks pass"


def eid(value: Any) -> str:
    return content_id(canonical_json(value))


def task(task_id: str, **fields: Any) -> dict[str, Any]:
    return {"type": "task", "task_id": task_id, "workflow_id": "w1", **fields}


def write(store: Store, *messages: dict[str, Any]) -> None:
    store.write(map_batch(messages))


def snapshot(store: Store) -> tuple[list[Any], list[Any]]:
    """Every node and edge, sorted: equal snapshots mean equal graphs."""
    nodes = sorted(store.iter_nodes(), key=lambda n: n["id"])
    edges = sorted(store.iter_edges(), key=lambda e: orjson.dumps(e, option=orjson.OPT_SORT_KEYS))
    return nodes, edges


@pytest.fixture
def store_settings(tmp_path: Path) -> Settings:
    return load_settings(environ={"PROVGRAPH_DATA_DIR": str(tmp_path)})


@pytest.fixture
def store(store_settings: Settings) -> Iterator[EmbeddedStore]:
    opened = EmbeddedStore.from_settings(store_settings)
    yield opened
    EmbeddedStore.evict(opened.directory)


def reopen(store: EmbeddedStore) -> EmbeddedStore:
    """A new instance over the same database (the cached one is dropped)."""
    EmbeddedStore.evict(store.directory)
    return EmbeddedStore.open(store.directory)


# --- opening --------------------------------------------------------------------------------


def test_registered_and_one_instance_per_directory(store_settings: Settings,
                                                   store: EmbeddedStore) -> None:
    assert store_class("embedded") is EmbeddedStore
    assert open_store(store_settings) is store
    assert store.directory == store_settings.embedded_store_dir.resolve()
    assert store.alive()
    assert store.counts() == {"nodes": {}, "edges": {}}


# --- writing --------------------------------------------------------------------------------


def test_write_one_task_exact_nodes_edges_and_props(store: EmbeddedStore) -> None:
    delta = map_batch([task("t1", used={"x": 3, "path": LONG_A}, generated={"y": LONG_B},
                            status="FINISHED", started_at=10.0, ended_at=11.0, user="alice")])
    store.write(delta)
    assert store.counts() == {
        "nodes": {"Activity": 2, "Agent": 1, "Entity": 3, "Person": 1, "Task": 1, "Workflow": 1},
        "edges": {"USED": 2, "WAS_ASSOCIATED_WITH": 1, "WAS_GENERATED_BY": 1, "WAS_PART_OF": 1},
    }
    for node in delta.nodes:
        assert store.get_node(node.id) == {"id": node.id, "labels": list(node.labels),
                                           "props": node.props}
    t1 = store.get_node("t1")
    assert t1 is not None and t1["labels"] == ["Activity", "Task"]
    assert t1["props"]["status"] == "FINISHED" and t1["props"]["started_at"] == 10.0
    assert store.get_node("w1") == {"id": "w1", "labels": ["Activity", "Workflow"], "props": {}}
    assert store.get_node("nope") is None
    assert sorted((e["type"], e["src"], e["dst"], e["props"].get("role"))
                  for e in store.iter_edges()) == sorted(
        (e.type, e.src, e.dst, e.props.get("role")) for e in delta.edges)
    assert store.edges("t1", "out", ("USED",)) == [  # ordered by type, src, dst
        {"type": "USED", "src": "t1", "dst": eid(LONG_A), "props": {"role": "path", "time": 10.0}},
        {"type": "USED", "src": "t1", "dst": "t1/used/x", "props": {"role": "x", "time": 10.0}},
    ]
    assert store.edges("t1", "in") == [{"type": "WAS_GENERATED_BY", "src": eid(LONG_B),
                                        "dst": "t1", "props": {"role": "y", "time": 11.0}}]
    assert len(store.edges("t1")) == 5
    with pytest.raises(StoreError):
        store.edges("t1", "sideways")


def test_same_delta_twice_changes_nothing(store: EmbeddedStore) -> None:
    delta = map_batch([task("t1", used={"p": LONG_A}, generated={"y": LONG_B}, user="alice",
                            status="FINISHED"),
                       task("t2", used={"q": LONG_B}, dependencies=["t1"])])
    store.write(delta)
    before, revision = snapshot(store), store.revision()
    store.write(delta)
    store.write(map_batch([task("t2", used={"q": LONG_B}, dependencies=["t1"])]))
    assert snapshot(store) == before
    assert store.revision() == revision  # nothing changed: nothing written
    assert snapshot(reopen(store)) == before


@pytest.mark.parametrize("order", [("RUNNING", "FINISHED"), ("FINISHED", "RUNNING")])
def test_finished_is_never_undone_by_running(store: EmbeddedStore, order: tuple[str, str]
                                            ) -> None:
    messages = {
        "RUNNING": task("t1", status="RUNNING", started_at=1.0, hostname="node1"),
        "FINISHED": task("t1", status="FINISHED", ended_at=2.0, generated={"y": 5}),
    }
    for status in order:
        write(store, messages[status])
    props = store.get_node("t1")["props"]  # type: ignore[index]
    assert props["status"] == "FINISHED"
    assert (props["started_at"], props["ended_at"], props["hostname"]) == (1.0, 2.0, "node1")
    assert reopen(store).get_node("t1")["props"] == props  # type: ignore[index]


def test_shared_entities_plans_agents_keep_their_first_props(store: EmbeddedStore) -> None:
    write(store, task("t1", used={"p": LONG_A}, agent_id="a1"))
    store.write(map_batch([task("t2", used={"p": LONG_A})]))
    before = store.get_node(eid(LONG_A))
    delta = map_batch([task("t3", used={"p": LONG_A})])
    for node in delta.nodes:
        if node.id == eid(LONG_A):
            node.props = {**node.props, "value": "changed", "extra": 1}
    store.write(delta)
    assert store.get_node(eid(LONG_A)) == before  # as Neo4j's ON CREATE SET


# --- value-flow WAS_INFORMED_BY -------------------------------------------------------------


@pytest.mark.parametrize("producer_first", [True, False])
def test_value_flow_across_two_writes(store: EmbeddedStore, producer_first: bool) -> None:
    producer = task("t1", generated={"out": LONG_A})
    consumer = task("t2", used={"in": LONG_A, "n": 3})
    for message in (producer, consumer) if producer_first else (consumer, producer):
        write(store, message)
    assert store.edges("t2", "out", ("WAS_INFORMED_BY",)) == [
        {"type": "WAS_INFORMED_BY", "src": "t2", "dst": "t1", "props": {"derived": True}}]
    assert store.counts()["edges"]["WAS_INFORMED_BY"] == 1
    assert store.edges("t1", "out", ("WAS_INFORMED_BY",)) == []


def test_value_flow_merges_into_a_declared_edge(store: EmbeddedStore) -> None:
    write(store, task("t2", used={"in": LONG_A}, dependencies=["t1"]))
    write(store, task("t1", generated={"out": LONG_A}))
    assert store.edges("t2", "out", ("WAS_INFORMED_BY",)) == [{
        "type": "WAS_INFORMED_BY", "src": "t2", "dst": "t1",
        "props": {"declared": True, "derived": True}}]


def test_value_flow_ignores_usage_local_values_and_popular_constants(store: EmbeddedStore
                                                                     ) -> None:
    write(store, task("t1", generated={"n": 3}), task("t2", used={"n": 3}))
    constant = "completed successfully, thanks"
    write(store, *(task(f"g{i}", generated={"msg": constant})
                   for i in range(VALUE_FLOW_MAX_FANOUT + 1)))
    write(store, task("c", used={"msg": constant}))
    assert "WAS_INFORMED_BY" not in store.counts()["edges"]


# --- lineage --------------------------------------------------------------------------------

G0, G1, G2 = "the output of t0, long", "the output of t1, long", "the output of t2, long"


@pytest.fixture
def diamond(store: EmbeddedStore) -> EmbeddedStore:
    """t0 -> G0 -> (t1 -> G1, t2 -> G2) -> t3, written in two batches, consumers first."""
    write(store, task("t3", used={"a": G1, "b": G2}), task("t1", used={"x": G0},
                                                          generated={"y": G1}))
    write(store, task("t2", used={"x": G0}, generated={"y": G2}),
          task("t0", generated={"out": G0}))
    return store


def hits(*groups: tuple[int, list[str]], labels: dict[str, list[str]]) -> list[dict[str, Any]]:
    return [{"id": i, "labels": labels[i], "distance": d} for d, ids in groups for i in sorted(ids)]


def test_upstream_and_downstream_on_a_diamond(diamond: EmbeddedStore) -> None:
    e0, e1, e2 = eid(G0), eid(G1), eid(G2)
    labels = {i: ["Activity", "Task"] for i in ("t0", "t1", "t2", "t3")}
    labels.update({e: ["Entity"] for e in (e0, e1, e2)})
    assert diamond.counts()["edges"]["WAS_INFORMED_BY"] == 4
    assert diamond.upstream("t3") == hits((1, [e1, e2, "t1", "t2"]), (2, [e0, "t0"]),
                                          labels=labels)
    assert diamond.upstream("t3", depth=1) == hits((1, [e1, e2, "t1", "t2"]), labels=labels)
    assert diamond.upstream(e1) == hits((1, ["t1"]), (2, [e0, "t0"]), labels=labels)
    assert diamond.downstream("t0") == hits((1, [e0, "t1", "t2"]), (2, [e1, e2, "t3"]),
                                            labels=labels)
    assert diamond.downstream(e0, depth=2) == hits((1, ["t1", "t2"]), (2, [e1, e2, "t3"]),
                                                   labels=labels)
    assert diamond.downstream(e0, depth=1) == hits((1, ["t1", "t2"]), labels=labels)
    assert diamond.upstream("t0") == []
    assert diamond.downstream("t3") == []
    assert diamond.upstream("missing") == []
    for bad in (0, 51, True, 2.0):
        with pytest.raises(StoreError):
            diamond.upstream("t3", depth=bad)  # type: ignore[arg-type]


# --- queries --------------------------------------------------------------------------------


def test_find_nodes_filters_and_order(store: EmbeddedStore) -> None:
    write(store, task("b", started_at=3.0, status="FINISHED", tags=["x"]),
          task("a", started_at=2.0, status="RUNNING"),
          task("d", status="FINISHED"),
          task("c", started_at=2.0, status="FINISHED", custom_metadata={"k": 1}))
    ids = [n["id"] for n in store.find_nodes("Task")]
    assert ids == ["a", "c", "b", "d"]  # started_at, then id; without started_at last
    assert [n["id"] for n in store.find_nodes("Task", {"status": "FINISHED"})] == ["c", "b", "d"]
    assert [n["id"] for n in store.find_nodes("Task", {"status": "FINISHED"}, limit=2)] == [
        "c", "b"]
    assert [n["id"] for n in store.find_nodes("Activity", {"id": "d"})] == ["d"]
    assert store.find_nodes("Entity", {"id": "d"}) == []
    assert store.find_nodes("Task", {"tags": ["x"]})[0]["id"] == "b"
    assert store.find_nodes("Task", {"started_at": 2.0, "status": "RUNNING"})[0]["props"][
        "status"] == "RUNNING"
    assert [n["id"] for n in store.find_nodes("Task", {"started_at": None})] == ["d"]  # absent
    assert len(store.find_nodes("Task", {"nope": None})) == 4
    assert store.find_nodes("Task", {"id": None}) == []
    assert store.find_nodes("Task", {"status": "FINISHED", "id": ("b",)}) == []
    for bad in ({"status": {"a": 1}}, {1: "x"}, ["status"]):
        with pytest.raises(StoreError):
            store.find_nodes("Task", bad)  # type: ignore[arg-type]
    with pytest.raises(StoreError, match="unknown label"):
        store.find_nodes("Tasks")
    assert [n["id"] for n in store.find_nodes("Workflow")] == ["w1"]
    assert store.find_nodes("Task", limit=0) == []
    with pytest.raises(StoreError):
        store.find_nodes("Task", limit=-1)
    found = store.find_nodes("Task", {"id": "b"})[0]
    found["props"]["status"] = "mutated"  # records are copies
    assert store.get_node("b")["props"]["status"] == "FINISHED"  # type: ignore[index]


def test_answers_convert_to_networkx(diamond: EmbeddedStore) -> None:
    graph = api.upstream(diamond, "t3", depth=5).to_networkx()
    assert graph.nodes["t3"]["distance"] == 0
    assert graph.nodes["t1"]["labels"] == ["Activity", "Task"]
    assert {"t0", "t1", "t2", eid(G0), eid(G1), eid(G2)} <= nx.descendants(graph, "t3")
    assert not hasattr(diamond, "networkx")  # never the whole store in memory


def test_iter_nodes_and_edges_filters(diamond: EmbeddedStore) -> None:
    assert sorted(n["id"] for n in diamond.iter_nodes(("Task", "Workflow"))) == [
        "t0", "t1", "t2", "t3", "w1"]
    assert {e["type"] for e in diamond.iter_edges(("USED",))} == {"USED"}
    assert len(list(diamond.iter_edges())) == sum(diamond.counts()["edges"].values())


def test_concurrent_writes_and_queries(store: EmbeddedStore) -> None:
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            for i in range(200):
                write(store, task(f"t{i}", used={"x": f"{LONG_A} {i - 1}"},
                                  generated={"y": f"{LONG_A} {i}"}))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    thread = threading.Thread(target=writer)
    thread.start()
    while thread.is_alive():
        store.counts()
        store.find_nodes("Task", limit=5)
        list(store.iter_edges(("WAS_INFORMED_BY",)))
    thread.join()
    assert not errors
    assert store.counts()["nodes"]["Task"] == 200
    assert store.counts()["edges"]["WAS_INFORMED_BY"] == 199


# --- durability -----------------------------------------------------------------------------


def test_reopen_reads_the_same_graph(diamond: EmbeddedStore) -> None:
    before, counts = snapshot(diamond), diamond.counts()
    again = reopen(diamond)
    assert again is not diamond
    assert snapshot(again) == before and again.counts() == counts
    assert again.upstream("t3") == diamond.upstream("t3")
    assert sorted(p.name for p in again.directory.iterdir()
                  if not p.name.startswith("graph.db-")) == ["graph.db", "writer.lock"]


def run_python(code: str, *args: str) -> str:
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code), *args], cwd=REPO,
                          capture_output=True, text=True, timeout=60, check=True)
    return done.stdout


def test_a_fresh_process_reads_the_same_graph(diamond: EmbeddedStore) -> None:
    out = run_python("""
        import json, sys
        from keeper.stores.embedded import EmbeddedStore
        store = EmbeddedStore.open(sys.argv[1])
        print(json.dumps([store.counts(), store.upstream("t3")]))
        """, str(diamond.directory))
    assert json.loads(out) == [diamond.counts(), diamond.upstream("t3")]


def test_props_neo4j_cannot_store_fail_the_whole_write(store: EmbeddedStore) -> None:
    write(store, task("t0"))
    before, revision = snapshot(store), store.revision()
    nested: Any = {"nested": {"not": "allowed"}}
    bad = GraphDelta(nodes=[Node("w2", ("Activity", "Workflow"), {"name": "ok"}),
                            Node("t1", ("Activity", "Task"), nested)])
    with pytest.raises(StoreError, match="'nested'") as info:
        store.write(bad)
    assert not isinstance(info.value, StoreUnavailableError)
    assert snapshot(store) == before and store.revision() == revision
    odd: Any = {"tags": ("a", "b"), "cpu": float("nan"), "x": 1.5}
    store.write(GraphDelta(nodes=[Node("t2", ("Activity", "Task"), odd)]))
    props = {"tags": ["a", "b"], "x": 1.5}  # tuples are lists, NaN (not JSON) is dropped
    assert store.get_node("t2")["props"] == props  # type: ignore[index]
    assert reopen(store).get_node("t2")["props"] == props  # type: ignore[index]


def test_a_full_disk_fails_the_write_and_keeps_what_was_stored(store: EmbeddedStore) -> None:
    write(store, task("t1", generated={"y": LONG_A}, status="RUNNING"))
    before, revision = snapshot(store), store.revision()
    conn = store._connection()
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")  # SQLite's own "disk is full"
    big = [task(f"f{i}", used={"x": f"{LONG_A} {i}"}, status="FINISHED") for i in range(300)]
    with pytest.raises(StoreUnavailableError, match="disk is full") as info:
        write(store, task("t1", status="FINISHED"), *big)
    assert str(store.path) in str(info.value)
    assert snapshot(store) == before and store.revision() == revision
    conn.execute("PRAGMA max_page_count = 1073741823")
    write(store, task("t2", used={"x": LONG_A}))
    assert store.counts()["edges"]["WAS_INFORMED_BY"] == 1
    assert snapshot(reopen(store)) == snapshot(store)


def test_clear(store: EmbeddedStore) -> None:
    for status in ("RUNNING", "FINISHED"):
        write(store, *(task(f"t{i}", status=status, ended_at=float(i)) for i in range(50)))
    store.clear()
    assert store.counts() == {"nodes": {}, "edges": {}}
    assert snapshot(reopen(store)) == ([], [])
    write(store, task("t1"))
    assert store.counts()["nodes"]["Task"] == 1


# --- other processes ------------------------------------------------------------------------

READER = """
    import json, sys
    from provgraph.core.errors import StoreUnavailableError
    from keeper.stores.embedded import EmbeddedStore
    from prov_model import map_batch
    store = EmbeddedStore.open(sys.argv[1])
    print(json.dumps(store.counts()), flush=True)
    for line in sys.stdin:
        if line.strip() == "write":
            try:
                store.write(map_batch([{"type": "task", "task_id": "from-reader"}]))
                print(json.dumps("written"), flush=True)
            except StoreUnavailableError as exc:
                print(json.dumps("unavailable"), flush=True)
            continue
        print(json.dumps([store.counts(), store.upstream(line.strip())]), flush=True)
"""


def test_a_reader_process_follows_the_writer(store: EmbeddedStore) -> None:
    write(store, task("t1", generated={"y": G0}))
    reader = subprocess.Popen([sys.executable, "-c", textwrap.dedent(READER),
                               str(store.directory)], cwd=REPO, text=True,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert reader.stdin is not None and reader.stdout is not None

    def ask(line: str) -> Any:
        reader.stdin.write(line + "\n")  # type: ignore[union-attr]
        reader.stdin.flush()  # type: ignore[union-attr]
        return json.loads(reader.stdout.readline())  # type: ignore[union-attr]

    try:
        assert json.loads(reader.stdout.readline()) == store.counts()
        write(store, task("t2", used={"x": G0}, generated={"y": G1}))  # after it opened
        assert ask("t2") == [store.counts(), store.upstream("t2")]
        assert ask("write") == "unavailable"  # this process holds the writer lock
        write(store, task("t3", used={"x": G1}))
        assert ask("t3") == [store.counts(), store.upstream("t3")]
        store.clear()
        assert ask("t3") == [{"nodes": {}, "edges": {}}, []]
        store.close()  # gives the writer lock back
        assert ask("write") == "written"
        assert store.get_node("from-reader") is not None
        with pytest.raises(StoreUnavailableError):
            write(store, task("t4"))
    finally:
        reader.stdin.close()
        reader.wait(timeout=30)


def test_a_reader_opened_before_the_first_write(tmp_path: Path) -> None:
    reader = EmbeddedStore(tmp_path / "store")  # a second instance: as in another process
    writer = EmbeddedStore.open(tmp_path / "store")
    try:
        assert reader is not writer and reader.counts() == {"nodes": {}, "edges": {}}
        write(writer, task("t1", generated={"y": G0}), task("t2", used={"x": G0}))
        assert reader.counts() == writer.counts()
        assert reader.upstream("t2") == writer.upstream("t2")
        with pytest.raises(StoreUnavailableError, match="another process"):
            write(reader, task("t3"))
    finally:
        reader.close()
        EmbeddedStore.evict(writer.directory)


def test_a_backup_is_a_consistent_copy(diamond: EmbeddedStore, tmp_path: Path) -> None:
    (tmp_path / "backups").mkdir()
    out = diamond.backup(tmp_path / "backups")
    assert out == tmp_path / "backups" / "graph.db" and not list(
        (tmp_path / "backups").glob("*.partial"))
    copy_dir = tmp_path / "restored"
    copy_dir.mkdir()
    out.rename(copy_dir / "graph.db")
    copy = EmbeddedStore(copy_dir)
    try:
        assert snapshot(copy) == snapshot(diamond)
        assert copy.upstream("t3") == diamond.upstream("t3")
    finally:
        copy.close()
    with pytest.raises(StoreError, match="the store itself"):
        diamond.backup(diamond.directory)


def test_the_backup_command(diamond: EmbeddedStore, tmp_path: Path) -> None:
    data = diamond.directory.parent
    done = subprocess.run([sys.executable, "-m", "provgraph.cli", "store", "backup",
                           str(tmp_path / "copy.db")], cwd=REPO, capture_output=True, text=True,
                          env={**os.environ, "PROVGRAPH_DATA_DIR": str(data),
                               "PROVGRAPH_STORE": "embedded"}, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "backed up" in done.stdout and (tmp_path / "copy.db").stat().st_size > 0
