"""Ids and indexed fields too large for an index: refused at mapping time with a clear
reason, or (ids composed from user data) hashed so the value is still stored."""

from __future__ import annotations

from typing import Any

import pytest

from prov_model import map_message
from prov_model.keys import HASHED_MARK, MAX_KEY_BYTES, bounded_id
from provgraph.core.errors import MappingError

HUGE = "x" * 100_000


def task(**fields: Any) -> dict[str, Any]:
    return {"type": "task", "task_id": "t1", "workflow_id": "w1", "status": "FINISHED",
            **fields}


@pytest.mark.parametrize(("message", "field"), [
    (task(task_id=HUGE), "task_id"),
    (task(workflow_id=HUGE), "workflow_id"),
    (task(parent_task_id=HUGE), "parent_task_id"),
    (task(campaign_id=HUGE), "campaign_id"),
    (task(dependencies=["ok", HUGE]), "dependencies"),
    (task(activity_id=HUGE), "activity_id"),
    (task(status=HUGE), "status"),
    (task(user=HUGE), "user"),
    (task(agent_id=HUGE), "agent_id"),
    ({"type": "workflow", "workflow_id": HUGE}, "workflow_id"),
    ({"type": "workflow", "workflow_id": "w1", "name": HUGE}, "name"),
    ({"type": "workflow", "workflow_id": "w1", "parent_workflow_id": HUGE},
     "parent_workflow_id"),
])
def test_a_name_too_large_to_index_is_refused_naming_the_field(
    message: dict[str, Any], field: str
) -> None:
    with pytest.raises(MappingError) as caught:
        map_message(message)
    reason = str(caught.value)
    assert f"field '{field}' is 100000 bytes" in reason
    assert f"at most {MAX_KEY_BYTES}" in reason
    assert len(reason) < 300  # the value itself is not copied into the dead letter


def test_multibyte_text_is_measured_in_bytes() -> None:
    fits = "é" * (MAX_KEY_BYTES // 2)  # 2 bytes each: exactly the limit
    assert map_message(task(activity_id=fits)).node_map()["t1"].props["activity_id"] == fits
    with pytest.raises(MappingError, match="is 4098 bytes"):
        map_message(task(activity_id=fits + "é"))


def test_a_huge_role_is_stored_under_a_hashed_entity_id() -> None:
    role = "k" * 10_000
    delta = map_message(task(generated={role: 1, "small": 2}, used={role: 3}))
    ids = sorted(n.id for n in delta.nodes if "Entity" in n.labels and "Plan" not in n.labels)
    hashed = [i for i in ids if HASHED_MARK in i]
    assert len(hashed) == 2  # one used, one generated: different prefixes
    assert all(len(i.encode()) < 200 for i in hashed)
    assert "t1/generated/small" in ids
    roles = {e.props["role"] for e in delta.edges if e.type in ("USED", "WAS_GENERATED_BY")}
    assert role in roles  # the edge keeps the whole role (edges are not indexed)
    again = map_message(task(generated={role: 1}))
    assert {n.id for n in again.nodes} & set(hashed)  # the same node every time


def test_a_huge_qualname_gives_a_hashed_plan_id() -> None:
    code = {"module": "m", "qualname": HUGE, "source_hash": "abc"}
    delta = map_message(task(code=code))
    [plan] = [n for n in delta.nodes if "Plan" in n.labels]
    assert plan.id.startswith("plan:" + HASHED_MARK)
    assert plan.props["qualname"] == HUGE
    assert delta.node_map()["t1"].props["plan_id"] == plan.id


def test_bounded_id_leaves_short_ids_alone() -> None:
    assert bounded_id("t/used/", "x") == "t/used/x"
    assert bounded_id("t/used/", "y" * MAX_KEY_BYTES).startswith("t/used/" + HASHED_MARK)


def test_a_timestamp_beyond_64_bits_is_refused() -> None:
    with pytest.raises(MappingError, match=r"field 'started_at' must be a number .* 64 bits"):
        map_message(task(started_at=2**70))


def test_numbers_beyond_64_bits_stay_out_of_flat_properties() -> None:
    delta = map_message(task(telemetry_at_start={"cpu": {"percent_all": 2**70}},
                             code={"module": "m", "qualname": "f", "line": 2**70}))
    props = delta.node_map()["t1"].props
    assert "cpu_percent_start" not in props
    assert "1180591620717411303424" in str(props["telemetry_at_start_json"])
    [plan] = [n for n in delta.nodes if "Plan" in n.labels]
    assert "line" not in plan.props


def test_a_workflow_end_for_an_id_too_large_is_refused() -> None:
    end = {"type": "control", "event": "workflow_end", "workflow_id": HUGE, "status": "FINISHED"}
    with pytest.raises(MappingError, match="field 'workflow_id' is 100000 bytes"):
        map_message(end)
