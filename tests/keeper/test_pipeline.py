"""Capture → hub → keeper → store, for both stores: the diamond workflow, exact graphs,
same answers from both, duplicates, dead letters, and queries right after ``with``."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from capture import Flowcept, flowcept_task
from keeper.loop import Keeper
from keeper.sources.base import open_source
from keeper.stores.base import Store
from provgraph.core.config import Settings

RAW = "raw measurements: " + "0.5 " * 20


@flowcept_task(output_names="raw")
def load(path):
    return RAW


@flowcept_task(output_names="left")
def branch_a(raw):
    return raw.upper()


@flowcept_task(output_names="right")
def branch_b(raw):
    return raw[::-1]


@flowcept_task(output_names="joined")
def join(left, right):
    return left + "|" + right


def run_diamond() -> tuple[Flowcept, dict[str, str]]:
    with Flowcept(workflow_name="diamond", campaign_id="campaign-diamond") as flowcept:
        raw = load("/data/in.csv")
        joined = join(branch_a(raw), branch_b(raw))
    assert joined.startswith("RAW")
    tasks = Flowcept.db.get_tasks_from_current_workflow()
    return flowcept, {t["activity_id"]: t["task_id"] for t in tasks}


def edge_set(store: Store, ids: dict[str, str], kinds: tuple[str, ...]) -> set[tuple[str, ...]]:
    """Edges among the diamond's tasks and its shared entities, named by activity."""
    names = {v: k for k, v in ids.items()}
    out: set[tuple[str, ...]] = set()
    for edge in store.iter_edges(kinds):
        src = names.get(edge["src"], "entity" if edge["src"].startswith("e:") else None)
        dst = names.get(edge["dst"], "entity" if edge["dst"].startswith("e:") else None)
        if src and dst:
            out.add((edge["type"], src, dst, str(edge["props"].get("role", ""))))
    return out


def test_diamond_gives_exactly_the_expected_graph(pipeline: tuple[Settings, Store]) -> None:
    _settings, store = pipeline
    flowcept, ids = run_diamond()
    assert set(ids) == {"load", "branch_a", "branch_b", "join"}
    lineage = edge_set(store, ids, ("USED", "WAS_GENERATED_BY", "WAS_INFORMED_BY"))
    assert lineage == {
        ("USED", "load", "entity", "path"),  # a path is a shared value
        ("WAS_GENERATED_BY", "entity", "load", "raw"),
        ("USED", "branch_a", "entity", "raw"),
        ("USED", "branch_b", "entity", "raw"),
        ("WAS_GENERATED_BY", "entity", "branch_a", "left"),
        ("WAS_GENERATED_BY", "entity", "branch_b", "right"),
        ("USED", "join", "entity", "left"),
        ("USED", "join", "entity", "right"),
        ("WAS_GENERATED_BY", "entity", "join", "joined"),
        ("WAS_INFORMED_BY", "branch_a", "load", ""),
        ("WAS_INFORMED_BY", "branch_b", "load", ""),
        ("WAS_INFORMED_BY", "join", "branch_a", ""),
        ("WAS_INFORMED_BY", "join", "branch_b", ""),
    }
    counts = store.counts()
    assert counts["nodes"]["Task"] == 4
    assert counts["nodes"]["Workflow"] == 1
    assert counts["nodes"]["Campaign"] == 1
    assert counts["nodes"]["Plan"] == 4
    # shared entities: raw, left, right, joined; usage-local: load's trivial path input
    shared = [n for n in store.iter_nodes(("Entity",)) if n["id"].startswith("e:")]
    assert len(shared) == 4 + 1  # + the path "/data/in.csv" (paths are shared)
    part_of = {(e["src"], e["dst"]) for e in store.iter_edges(("WAS_PART_OF",))}
    workflow_id = flowcept.current_workflow_id
    assert {(ids[a], workflow_id) for a in ids} | {(workflow_id, "campaign-diamond")} == part_of
    upstream = {hit["id"]: hit["distance"] for hit in Flowcept.db.upstream(ids["join"], depth=4)}
    assert upstream[ids["branch_a"]] == 1 and upstream[ids["branch_b"]] == 1
    assert upstream[ids["load"]] == 2
    downstream = {hit["id"] for hit in Flowcept.db.downstream(ids["load"], depth=2)}
    assert {ids["branch_a"], ids["branch_b"], ids["join"]} <= downstream


@pytest.mark.integration
def test_both_stores_give_the_same_answers(tmp_path: Any, stream: str) -> None:
    from capture import recorder
    from keeper.stores.base import open_store
    from tests.keeper.conftest import embedded_settings, neo4j_settings

    answers = []
    for settings in (embedded_settings(tmp_path / "e"), neo4j_settings(tmp_path / "n", stream)):
        recorder.configure(settings)
        store = open_store(settings)
        store.clear()
        _, ids = run_diamond()
        tasks = sorted(Flowcept.db.task_query({"workflow_id": Flowcept.current_workflow_id}),
                       key=lambda t: t["activity_id"])
        answers.append({
            "tasks": [(t["activity_id"], t["used"], t["generated"], t["status"]) for t in tasks],
            "lineage": edge_set(store, ids, ("USED", "WAS_GENERATED_BY", "WAS_INFORMED_BY")),
            "upstream": sorted((h["distance"], h["labels"][-1])
                               for h in Flowcept.db.upstream(ids["join"], depth=5)),
            "counts": store.counts(),
        })
        store.clear()
        recorder.configure(None)
    assert answers[0]["tasks"] == answers[1]["tasks"]
    assert answers[0]["lineage"] == answers[1]["lineage"]
    assert answers[0]["upstream"] == answers[1]["upstream"]
    assert answers[0]["counts"] == answers[1]["counts"]


def test_query_right_after_with_returns_every_task(pipeline: tuple[Settings, Store]) -> None:
    @flowcept_task
    def square(i):
        return i * i

    with Flowcept(workflow_name="many"):
        for i in range(500):
            square(i)
    tasks = Flowcept.db.get_tasks_from_current_workflow()
    assert sorted(t["used"]["i"] for t in tasks) == list(range(500))
    assert all(t["status"] == "FINISHED" for t in tasks)
    assert Flowcept.db.task_query({"used.i": 7})[0]["generated"] == {"arg_0": 49}
    workflow = Flowcept.db.get_workflow_object(Flowcept.current_workflow_id)
    assert workflow is not None and workflow.name == "many"


def test_garbage_goes_to_dead_letters_and_good_messages_are_stored(
    pipeline: tuple[Settings, Store],
) -> None:
    settings, store = pipeline
    good = [{"type": "task", "task_id": f"good-{i}", "workflow_id": "wf-g", "status": "FINISHED",
             "used": {"i": i}} for i in range(3)]
    bad = [
        {"type": "task", "workflow_id": "wf-g"},  # no task_id
        {"type": "task", "task_id": "bad-used", "used": "not a dict"},  # wrong type
        {"type": "nonsense", "task_id": "x"},
    ]
    source = open_source(settings)
    if settings.hub.kind == "file":
        lines = [orjson.dumps(m) for m in (good[0], *bad, good[1])]
        lines += [b"{not json", orjson.dumps(good[2])]
        settings.buffer_file.parent.mkdir(parents=True, exist_ok=True)
        settings.buffer_file.write_bytes(b"\n".join(lines) + b"\n")
    else:
        import redis

        from provgraph.core.wire import FIELD_PAYLOAD

        client = redis.Redis.from_url(settings.hub.redis.url)
        client.xadd(settings.hub.redis.stream, {FIELD_PAYLOAD: orjson.dumps([good[0], *bad])})
        client.xadd(settings.hub.redis.stream, {FIELD_PAYLOAD: b"{not json"})
        client.xadd(settings.hub.redis.stream, {"other": b"no payload"})
        client.xadd(settings.hub.redis.stream, {FIELD_PAYLOAD: orjson.dumps(good[1:])})
    keeper = Keeper(source, store, settings)
    keeper.run(until_idle=True)
    stored = {n["id"] for n in store.find_nodes("Task")}
    assert {"good-0", "good-1", "good-2"} <= stored
    assert "bad-used" not in stored and "x" not in stored
    letters = source.dead_letters()
    reasons = " | ".join(str(letter["reason"]) for letter in letters)
    assert "task_id" in reasons and "'used'" in reasons and "nonsense" in reasons
    assert "not JSON" in reasons
    assert len(letters) == (4 if settings.hub.kind == "file" else 5)
    source.close()


def test_the_same_batch_delivered_twice_changes_nothing(pipeline: tuple[Settings, Store]) -> None:
    settings, store = pipeline
    with Flowcept(workflow_name="twice", start_persistence=False):
        raw = load("/data/in.csv")
        join(branch_a(raw), branch_b(raw))
    if settings.hub.kind == "redis":
        import redis

        client = redis.Redis.from_url(settings.hub.redis.url)
        entries = [fields for _, fields in client.xrange(settings.hub.redis.stream)]
        assert entries
    Keeper(open_source(settings), store, settings).run(until_idle=True)
    before_counts = store.counts()
    before_nodes = sorted((n["id"], orjson.dumps(n["props"], option=orjson.OPT_SORT_KEYS))
                          for n in store.iter_nodes())
    assert before_counts["nodes"]["Task"] == 4
    # deliver every batch again: rewind the file hub / append the same entries again
    if settings.hub.kind == "file":
        (settings.keeper_dir / "file-source.json").unlink()
    else:
        for fields in entries:
            client.xadd(settings.hub.redis.stream, fields)
    source = open_source(settings)
    stats = Keeper(source, store, settings).run(until_idle=True)
    assert stats.messages == 5  # the workflow and the 4 tasks were read and written again
    assert store.counts() == before_counts
    after_nodes = sorted((n["id"], orjson.dumps(n["props"], option=orjson.OPT_SORT_KEYS))
                         for n in store.iter_nodes())
    assert after_nodes == before_nodes
