"""map_message / map_batch: exact nodes and edges per message kind.

The rules: docs/architecture.md, "The PROV graph".
"""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from capture.messages import TaskObject, WorkflowObject
from prov_model import GraphDelta, content_id, map_batch, map_message
from prov_model.entities import canonical_json
from provgraph.core.errors import MappingError
from provgraph.core.wire import Status
from tests.prov_model.helpers import LONG_A, LONG_B, edge_set, node_labels

ACT_TASK = ("Activity", "Task")
ACT_WF = ("Activity", "Workflow")
ACT_CAMP = ("Activity", "Campaign")
ENT = ("Entity",)
PLAN = ("Entity", "Plan")
PERSON = ("Agent", "Person")
SOFT = ("Agent", "SoftwareAgent")


def eid(value: Any) -> str:
    return content_id(canonical_json(value))


def full_task() -> dict[str, Any]:
    return TaskObject(
        task_id="t1",
        workflow_id="w1",
        campaign_id="c1",
        activity_id="train",
        used={"epochs": 3, "dataset": LONG_A},
        generated={"model": LONG_B},
        status=Status.FINISHED,
        started_at=10.0,
        ended_at=12.5,
        hostname="node-1",
        user="alice",
        agent_id="agent-7",
        tags=["ml", "demo"],
        subtype="ml_task",
        telemetry_at_start={"cpu": {"percent_all": 5.0}},
        telemetry_at_end={"cpu": {"percent_all": 85.5}, "memory": {"virtual": {"percent": 40}}},
        custom_metadata={"owner": {"team": "x"}},
        code={"module": "pkg.train", "qualname": "train", "source_hash": "abc123"},
        dependencies=["t0"],
    ).to_dict()


def node(delta: GraphDelta, node_id: str) -> Any:
    return delta.node_map()[node_id]


def test_task_nodes_and_labels() -> None:
    delta = map_message(full_task())
    plan_id = "plan:pkg.train:train@abc123"
    assert node_labels(delta) == {
        "t1": ACT_TASK,
        "t1/used/epochs": ENT,
        eid(LONG_A): ENT,
        eid(LONG_B): ENT,
        plan_id: PLAN,
        "w1": ACT_WF,
        "c1": ACT_CAMP,
        "t0": ACT_TASK,
        "person:alice": PERSON,
        "agent:agent-7": SOFT,
    }
    task = node(delta, "t1").props
    assert task["status"] == "FINISHED"
    assert task["started_at"] == 10.0 and task["ended_at"] == 12.5
    assert task["workflow_id"] == "w1" and task["campaign_id"] == "c1"
    assert task["activity_id"] == "train" and task["hostname"] == "node-1"
    assert task["subtype"] == "ml_task" and task["tags"] == ["ml", "demo"]
    assert task["plan_id"] == plan_id
    assert task["cpu_percent_start"] == 5.0 and task["cpu_percent_end"] == 85.5
    assert task["memory_percent_end"] == 40
    assert task["dependencies"] == ["t0"]
    assert orjson.loads(task["used_json"]) == {"epochs": 3, "dataset": LONG_A}
    assert orjson.loads(task["generated_json"]) == {"model": LONG_B}
    assert orjson.loads(task["custom_metadata_json"]) == {"owner": {"team": "x"}}
    assert orjson.loads(task["telemetry_at_end_json"])["cpu"]["percent_all"] == 85.5
    assert "extra_json" not in task
    plan = node(delta, plan_id).props
    assert plan == {"module": "pkg.train", "qualname": "train", "source_hash": "abc123",
                    "name": "pkg.train.train"}
    assert node(delta, "person:alice").props == {"name": "alice"}
    assert node(delta, "agent:agent-7").props == {"name": "agent-7"}
    assert node(delta, "w1").props == {} and node(delta, "t0").props == {}


def test_task_edges() -> None:
    delta = map_message(full_task())
    plan_id = "plan:pkg.train:train@abc123"
    assert edge_set(delta) == {
        ("USED", "t1", "t1/used/epochs", "epochs"),
        ("USED", "t1", eid(LONG_A), "dataset"),
        ("WAS_GENERATED_BY", eid(LONG_B), "t1", "model"),
        ("WAS_PART_OF", "t1", "w1", None),
        ("WAS_PART_OF", "w1", "c1", None),
        ("WAS_INFORMED_BY", "t1", "t0", None),
        ("WAS_ASSOCIATED_WITH", "t1", "person:alice", None),
        ("WAS_ASSOCIATED_WITH", "t1", "agent:agent-7", None),
    }
    props = {(e.type, e.dst): e.props for e in delta.edges}
    assert props[("USED", eid(LONG_A))] == {"role": "dataset", "time": 10.0}
    assert props[("WAS_ASSOCIATED_WITH", "person:alice")] == {"plan": plan_id}
    assert props[("WAS_INFORMED_BY", "t0")] == {"declared": True}
    gen = next(e for e in delta.edges if e.type == "WAS_GENERATED_BY")
    assert gen.props == {"role": "model", "time": 12.5}


def test_entity_props() -> None:
    delta = map_message(full_task())
    trivial = node(delta, "t1/used/epochs").props
    assert trivial == {"value_type": "integer", "size_bytes": 1, "value": 3}
    shared = node(delta, eid(LONG_A)).props
    assert shared["value_type"] == "string" and shared["value"] == LONG_A
    assert shared["size_bytes"] == len(LONG_A) + 2
    assert len(shared["hash"]) == 64 and eid(LONG_A) == "e:" + shared["hash"][:32]


def test_every_edge_endpoint_is_a_node() -> None:
    delta = map_message(full_task())
    ids = set(node_labels(delta))
    for edge in delta.edges:
        assert edge.src in ids and edge.dst in ids


def test_parent_task_replaces_workflow_edge() -> None:
    delta = map_message({"type": "task", "task_id": "child", "workflow_id": "w1",
                         "parent_task_id": "parent"})
    assert edge_set(delta) == {("WAS_PART_OF", "child", "parent", None)}
    assert node_labels(delta) == {"child": ACT_TASK, "parent": ACT_TASK}


def test_dependents_point_back() -> None:
    delta = map_message({"type": "task", "task_id": "t1", "dependents": ["t2", "t3"]})
    assert edge_set(delta) == {
        ("WAS_INFORMED_BY", "t2", "t1", None),
        ("WAS_INFORMED_BY", "t3", "t1", None),
    }


def test_self_dependency_is_dropped() -> None:
    delta = map_message({"type": "task", "task_id": "t1", "dependencies": ["t1"]})
    assert edge_set(delta) == set()


def test_plan_from_activity_id_only() -> None:
    delta = map_message({"type": "task", "task_id": "t1", "activity_id": "f", "user": "bob"})
    assert node(delta, "plan:f").labels == PLAN
    assert node(delta, "t1").props["plan_id"] == "plan:f"
    assert edge_set(delta) == {("WAS_ASSOCIATED_WITH", "t1", "person:bob", None)}


def test_login_name_is_the_person_when_no_user() -> None:
    delta = map_message({"type": "task", "task_id": "t1", "login_name": "carol"})
    assert edge_set(delta) == {("WAS_ASSOCIATED_WITH", "t1", "person:carol", None)}
    delta = map_message({"type": "task", "task_id": "t1", "login_name": "carol", "user": "al"})
    assert edge_set(delta) == {("WAS_ASSOCIATED_WITH", "t1", "person:al", None)}


def test_workflow_message() -> None:
    msg = WorkflowObject(
        workflow_id="w2",
        name="training",
        parent_workflow_id="w1",
        campaign_id="c1",
        user="alice",
        used={"lr": 0.1, "config": {"layers": [64, 64, 10]}},
        machine_info={"cpu": {"count": 8}},
        interceptor_ids=["instrumentation"],
        started_at=1.0,
        status="RUNNING",
    ).to_dict()
    delta = map_message(msg)
    config_id = eid({"layers": [64, 64, 10]})
    assert node_labels(delta) == {
        "w2": ACT_WF,
        "w1": ACT_WF,
        "c1": ACT_CAMP,
        "person:alice": PERSON,
        "w2/used/lr": ENT,
        config_id: ENT,
    }
    assert edge_set(delta) == {
        ("WAS_PART_OF", "w2", "w1", None),
        ("WAS_PART_OF", "w2", "c1", None),
        ("WAS_ASSOCIATED_WITH", "w2", "person:alice", None),
        ("USED", "w2", "w2/used/lr", "lr"),
        ("USED", "w2", config_id, "config"),
    }
    props = node(delta, "w2").props
    assert props["name"] == "training" and props["status"] == "RUNNING"
    assert props["interceptor_ids"] == ["instrumentation"]
    assert orjson.loads(props["machine_info_json"]) == {"cpu": {"count": 8}}
    assert "plan_id" not in props
    assert node(delta, config_id).props["value"] == '{"layers":[64,64,10]}'


def test_control_message_maps_to_nothing() -> None:
    delta = map_message({"type": "control", "action": "flush", "marker": "m1"})
    assert delta.nodes == [] and delta.edges == [] and not delta


def test_campaign_node_from_task_without_workflow() -> None:
    delta = map_message({"type": "task", "task_id": "t1", "campaign_id": "c9"})
    assert node_labels(delta) == {"t1": ACT_TASK, "c9": ACT_CAMP}
    assert edge_set(delta) == set()


def test_unknown_fields_go_to_extra_json() -> None:
    obj = TaskObject.from_dict({"type": "task", "task_id": "t1", "shoe_size": 44})
    props = node(map_message(obj.to_dict()), "t1").props
    assert orjson.loads(props["extra_json"]) == {"shoe_size": 44}
    raw = node(map_message({"type": "task", "task_id": "t1", "color": "red"}), "t1").props
    assert orjson.loads(raw["extra_json"]) == {"color": "red"}


def test_stdout_text_and_structured() -> None:
    props = node(map_message({"type": "task", "task_id": "t", "stdout": "hi\n",
                              "stderr": {"e": 1}}), "t").props
    assert props["stdout"] == "hi\n" and orjson.loads(props["stderr_json"]) == {"e": 1}
    assert "stdout_json" not in props and "stderr" not in props


def test_tags_as_single_string() -> None:
    props = node(map_message({"type": "task", "task_id": "t", "tags": "one"}), "t").props
    assert props["tags"] == ["one"]


def test_props_are_scalars_or_lists_of_scalars() -> None:
    msgs = [full_task(), {"type": "workflow", "workflow_id": "w", "conf": {"a": {"b": 1}},
                          "used": {"x": None, "big": list(range(500))}}]
    delta = map_batch(msgs)
    scalar = (str, int, float, bool)
    for item in [*delta.nodes, *delta.edges]:
        for key, value in item.props.items():
            assert isinstance(key, str)
            if isinstance(value, list):
                assert all(isinstance(v, scalar) for v in value), key
            else:
                assert isinstance(value, scalar), (key, value)


def test_diamond_workflow() -> None:
    """t0 -> (t1, t2) -> t3 through shared values."""
    s, a, b = LONG_A, LONG_B, "the third long value in the diamond"
    msgs = [
        {"type": "task", "task_id": "t0", "workflow_id": "w", "generated": {"out": s}},
        {"type": "task", "task_id": "t1", "workflow_id": "w", "used": {"x": s},
         "generated": {"y": a}},
        {"type": "task", "task_id": "t2", "workflow_id": "w", "used": {"x": s},
         "generated": {"y": b}},
        {"type": "task", "task_id": "t3", "workflow_id": "w", "used": {"left": a, "right": b}},
    ]
    delta = map_batch(msgs)
    assert node_labels(delta) == {
        "t0": ACT_TASK, "t1": ACT_TASK, "t2": ACT_TASK, "t3": ACT_TASK, "w": ACT_WF,
        eid(s): ENT, eid(a): ENT, eid(b): ENT,
    }
    assert edge_set(delta) == {
        ("WAS_GENERATED_BY", eid(s), "t0", "out"),
        ("USED", "t1", eid(s), "x"),
        ("USED", "t2", eid(s), "x"),
        ("WAS_GENERATED_BY", eid(a), "t1", "y"),
        ("WAS_GENERATED_BY", eid(b), "t2", "y"),
        ("USED", "t3", eid(a), "left"),
        ("USED", "t3", eid(b), "right"),
        ("WAS_PART_OF", "t0", "w", None),
        ("WAS_PART_OF", "t1", "w", None),
        ("WAS_PART_OF", "t2", "w", None),
        ("WAS_PART_OF", "t3", "w", None),
    }
    assert len(delta.nodes) == 8 and len(delta.edges) == 11


def test_trivial_values_are_not_shared() -> None:
    delta = map_batch([
        {"type": "task", "task_id": "a", "used": {"epoch": 3, "name": "short"}},
        {"type": "task", "task_id": "b", "used": {"epoch": 3, "name": "short"}},
    ])
    entities = {n.id for n in delta.nodes if n.labels == ENT}
    assert entities == {"a/used/epoch", "a/used/name", "b/used/epoch", "b/used/name"}


def test_same_long_value_in_two_workflows_is_one_entity() -> None:
    one = map_message({"type": "task", "task_id": "a", "workflow_id": "w1",
                       "generated": {"path": LONG_A}})
    two = map_message({"type": "task", "task_id": "b", "workflow_id": "w2",
                       "used": {"input": LONG_A}})
    gen = {e.src for e in one.edges if e.type == "WAS_GENERATED_BY"}
    used = {e.dst for e in two.edges if e.type == "USED"}
    assert gen == used == {eid(LONG_A)}


def test_same_entity_twice_in_one_message_is_one_node() -> None:
    delta = map_message({"type": "task", "task_id": "t", "used": {"a": LONG_A, "b": LONG_A}})
    assert [n.id for n in delta.nodes].count(eid(LONG_A)) == 1
    assert edge_set(delta) == {("USED", "t", eid(LONG_A), "a"), ("USED", "t", eid(LONG_A), "b")}


def test_batch_dedups_nodes_and_merges_repeated_task() -> None:
    running = {"type": "task", "task_id": "t", "workflow_id": "w", "status": "RUNNING",
               "started_at": 1.0, "used": {"x": LONG_A}}
    finished = {**running, "status": "FINISHED", "ended_at": 2.0, "generated": {"y": 1}}
    delta = map_batch([running, finished])
    ids = [n.id for n in delta.nodes]
    assert len(ids) == len(set(ids))
    props = delta.node_map()["t"].props
    assert props["status"] == "FINISHED" and props["ended_at"] == 2.0
    assert [e.type for e in delta.edges].count("USED") == 1


def test_batch_on_error_skips_bad_messages() -> None:
    errors: list[tuple[int, str]] = []
    delta = map_batch(
        [{"type": "task", "task_id": "ok"}, {"type": "task"}, "junk",
         {"type": "task", "task_id": "bad", "used": [1]}],
        on_error=lambda i, msg, exc: errors.append((i, str(exc))),
    )
    assert [n.id for n in delta.nodes] == ["ok"]
    assert [i for i, _ in errors] == [1, 2, 3]


@pytest.mark.parametrize(
    ("msg", "reason"),
    [
        ("not a dict", "must be a dict"),
        (["type", "task"], "must be a dict"),
        ({"task_id": "t"}, "no 'type'"),
        ({"type": "telemetry", "task_id": "t"}, "unknown message type"),
        ({"type": "task"}, "without a valid 'task_id'"),
        ({"type": "task", "task_id": ""}, "without a valid 'task_id'"),
        ({"type": "task", "task_id": 42}, "without a valid 'task_id'"),
        ({"type": "workflow", "name": "x"}, "without a valid 'workflow_id'"),
        ({"type": "task", "task_id": "t", "used": [1, 2]}, "field 'used' must be a dict"),
        ({"type": "task", "task_id": "t", "generated": "x"}, "field 'generated' must be a dict"),
        ({"type": "task", "task_id": "t", "started_at": "yesterday"}, "field 'started_at'"),
        ({"type": "task", "task_id": "t", "started_at": True}, "field 'started_at'"),
        ({"type": "task", "task_id": "t", "dependencies": "t0"}, "field 'dependencies'"),
        ({"type": "task", "task_id": "t", "dependencies": [1]}, "field 'dependencies'"),
        ({"type": "task", "task_id": "t", "workflow_id": 7}, "field 'workflow_id'"),
        ({"type": "task", "task_id": "t", "status": 3}, "field 'status'"),
        ({"type": "task", "task_id": "t", "tags": {"a": 1}}, "field 'tags'"),
        ({"type": "task", "task_id": "t", "hostname": {"h": 1}}, "field 'hostname'"),
        ({"type": "task", "task_id": "t", "telemetry_at_end": [1]}, "field 'telemetry_at_end'"),
        ({"type": "task", "task_id": "t", "extra": "x"}, "field 'extra'"),
        ({"type": "workflow", "workflow_id": "w", "conf": 5}, "field 'conf'"),
    ],
)
def test_mapping_errors(msg: Any, reason: str) -> None:
    with pytest.raises(MappingError, match=reason):
        map_message(msg)


def test_time_accepts_ints() -> None:
    props = map_message({"type": "task", "task_id": "t", "started_at": 5}).node_map()["t"].props
    assert props["started_at"] == 5


def test_odd_values_never_crash() -> None:
    deep: list[Any] = []
    cur = deep
    for _ in range(300):
        nxt: list[Any] = []
        cur.append(nxt)
        cur = nxt
    msg = {"type": "task", "task_id": "t",
           "used": {"big": 2**70, "tuple_keys": {(1, 2): "x"}, "deep": deep, 3: "int key",
                    "obj": object()},
           "custom_metadata": {"k": 2**65}}
    delta = map_message(msg)
    props = delta.node_map()["t"].props
    assert orjson.loads(props["custom_metadata_json"]) == {"k": str(2**65)}
    assert delta.node_map()["t/used/big"].props["value"] == str(2**70)
    assert ("USED", "t", "t/used/3", "3") in edge_set(delta)


def test_unhashable_type_is_a_mapping_error() -> None:
    with pytest.raises(MappingError, match="unknown message type"):
        map_message({"type": ["task"], "task_id": "t"})


def test_workflow_end_updates_only_the_workflow_node() -> None:
    end = {"type": "control", "event": "workflow_end", "workflow_id": "w1", "ended_at": 9.5,
           "status": "ERROR", "stderr": "boom", "unexpected": {"x": 1}}
    delta = map_message(end)
    assert [(n.id, n.labels, n.props) for n in delta.nodes] == [
        ("w1", ACT_WF, {"ended_at": 9.5, "status": "ERROR", "stderr": "boom"})]
    assert delta.edges == []
    assert map_message({"type": "control", "event": "flush", "marker": "m"}).nodes == []


def test_workflow_end_after_the_workflow_merges_into_it() -> None:
    start = {"type": "workflow", "workflow_id": "w1", "name": "n", "started_at": 1.0,
             "status": "RUNNING"}
    end = {"type": "control", "event": "workflow_end", "workflow_id": "w1", "ended_at": 2.0,
           "status": "FINISHED"}
    [node] = map_batch([start, end]).nodes
    assert node.props == {"name": "n", "started_at": 1.0, "status": "FINISHED", "ended_at": 2.0}


def test_bad_workflow_end_names_the_field() -> None:
    with pytest.raises(MappingError, match="workflow_id"):
        map_message({"type": "control", "event": "workflow_end", "status": "FINISHED"})
    with pytest.raises(MappingError, match="'ended_at'"):
        map_message({"type": "control", "event": "workflow_end", "workflow_id": "w",
                     "ended_at": "late"})


def test_raw_data_maps_to_its_hash_size_and_media_type() -> None:
    ref = {"sha256": "ab" * 32, "size_bytes": 1024, "media_type": "image/png"}
    [node] = [n for n in map_message({"type": "task", "task_id": "t", "data_ref": ref}).nodes
              if n.id == "t"]
    assert node.props["data_sha256"] == "ab" * 32
    assert node.props["data_size_bytes"] == 1024
    assert node.props["data_media_type"] == "image/png"
