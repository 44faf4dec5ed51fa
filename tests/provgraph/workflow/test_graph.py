"""Building the DAG from a config: order, references, and bad input reported before
anything runs, naming the step and the key."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from provgraph import workflow
from provgraph.workflow import WorkflowConfigError, WorkflowGraph
from provgraph.workflow.loader import apply_overrides, load_config

CALLS: list[str] = []


@dataclass
class Pair:
    left: int
    right: int


@workflow.step
def g_make_pair(n: int) -> Pair:
    CALLS.append("g_make_pair")
    return Pair(n, n + 1)


@workflow.step
def g_add(a: int, b: int = 0) -> int:
    CALLS.append("g_add")
    return a + b


@workflow.step
def g_name(text: str) -> str:
    return text


def ref(name: str) -> dict[str, str]:
    return {"type": "ref", "ref": name}


def steps(**configs: Any) -> dict[str, Any]:
    return {"steps": configs}


def test_steps_come_in_dependency_order_with_their_references() -> None:
    graph = WorkflowGraph.from_config(steps(
        total={"type": "g_add", "a": ref("pair.left"), "b": ref("pair.right")},
        pair={"type": "g_make_pair", "n": 3},
    ))
    assert graph.names() == ["pair", "total"]
    deps = {(d.key, d.step, d.field) for d in graph["total"].dependencies}
    assert deps == {("a", "pair", "left"), ("b", "pair", "right")}
    assert graph.ancestors("total") == ["pair", "total"]
    assert graph.descendants({"pair"}) == {"pair", "total"}
    assert graph.get_subgraph("pair").names() == ["pair"]


@pytest.mark.parametrize(("config", "expected"), [
    (steps(result={"type": "g_ad", "a": 1}),
     "step 'result': key 'type': unknown step type 'g_ad'"),
    (steps(result={"type": "g_add", "a": ref("missing")}),
     "step 'result': key 'a': reference to a missing step 'missing'"),
    (steps(a={"type": "g_add", "a": ref("b")}, b={"type": "g_add", "a": ref("a")}),
     "step 'a': key 'a': references form a cycle: a -> b -> a"),
    (steps(result={"type": "g_add", "a": "one"}),
     "step 'result': key 'a': Type mismatch, expected type is int, but actual type is str"),
    (steps(text={"type": "g_name", "text": "x"}, result={"type": "g_add", "a": ref("text")}),
     "step 'result': key 'a': the referenced result does not fit: expected int, got str"),
    (steps(result={"type": "g_add", "a": {"x": 1}}),
     "step 'result': key 'a': expected int, got an object"),
    (steps(result={"type": "g_add", "a": 1, "c": 2}),
     "step 'result': key 'c': g_add takes no argument 'c' (it takes: a, b)"),
    (steps(result={"type": "g_add", "b": 2}),
     "step 'result': key 'a': missing argument 'a' of g_add"),
    (steps(result={"a": 1}), "step 'result': key 'type': needs a string naming"),
    ({"stepz": {}}, "the config needs a 'steps' object at its root"),
])
def test_bad_input_names_the_step_and_key_before_anything_runs(
        config: dict[str, Any], expected: str) -> None:
    CALLS.clear()
    with pytest.raises(WorkflowConfigError) as caught:
        WorkflowGraph.from_config({"steps": {"first": {"type": "g_make_pair", "n": 1},
                                             **config.get("steps", {})}}
                                  if "steps" in config else config)
    assert expected in str(caught.value)
    assert "\n" not in str(caught.value)
    assert CALLS == []


def test_overrides_set_dotted_paths_and_reject_unknown_ones() -> None:
    config = steps(result={"type": "g_add", "a": 1, "b": 2})
    merged = apply_overrides(config, {"steps.result.b": 5, "steps.result.c": 1})
    assert merged["steps"]["result"] == {"type": "g_add", "a": 1, "b": 5, "c": 1}
    assert config["steps"]["result"]["b"] == 2  # the original is untouched
    with pytest.raises(WorkflowConfigError, match=r"the config has no 'steps\.other'"):
        apply_overrides(config, {"steps.other.b": 5})


def test_jsonnet_sees_the_environment_and_json_may_name_its_schema(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKFLOW_TEST_SIZE", "7")
    jsonnet = tmp_path / "config.jsonnet"
    jsonnet.write_text("local n = std.parseInt(std.extVar('WORKFLOW_TEST_SIZE'));\n"
                       "{ steps: { b: { type: 'g_add', a: n }, a: { type: 'g_add', a: 1 } } }")
    config = load_config(jsonnet, overrides="{'steps.a.b': 2 * 3}")  # a Jsonnet snippet
    assert list(config["steps"]) == ["b", "a"]  # the file's order is kept
    assert config["steps"]["b"]["a"] == 7 and config["steps"]["a"]["b"] == 6
    as_json = tmp_path / "config.json"
    as_json.write_text(json.dumps({"$schema": "./schema.json",
                                   "steps": {"r": {"type": "g_add", "a": 1}}}))
    assert WorkflowGraph.from_file(as_json).names() == ["r"]


def test_a_jsonnet_error_is_one_line_with_the_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.jsonnet"
    broken.write_text("{ steps: { a: } }")
    with pytest.raises(WorkflowConfigError) as caught:
        load_config(broken)
    assert str(caught.value).startswith(f"{broken}: syntax error")
    assert "\n" not in str(caught.value)
