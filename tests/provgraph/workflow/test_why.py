"""``why``'s words for each way a step can have run, from recorded fingerprint parts."""

from __future__ import annotations

from typing import Any

import pytest

from provgraph.workflow import WorkflowError
from provgraph.workflow.why import changes, explain_last, explain_next


def run(task_id: str, started: float, **parts: Any) -> dict[str, Any]:
    base = {"type": "train", "reason": "no cache entry", "fingerprint": "f1", "code": "c1",
            "source": "s1", "version": None, "helpers": {"lib:clean": "h1"},
            "args": {"epochs": "a1"}, "arg_values": {"epochs": 3}, "upstream": {},
            "format": "auto", "content_id": "cid:1"}
    return {"task_id": task_id, "started_at": started, "status": "FINISHED",
            "custom_metadata": {"workflow_step": {**base, **parts}}}


def test_each_part_of_a_fingerprint_is_named_when_it_changed() -> None:
    old = run("t1", 1)["custom_metadata"]["workflow_step"]
    new = {**old, "code": "c2", "helpers": {"lib:clean": "h2", "lib:more": "h3"},
           "args": {"epochs": "a2", "lr": "a3"}, "arg_values": {"epochs": 5, "lr": 0.1},
           "upstream": {"data": {"step": "noise", "by": "content", "token": "cid:9"}},
           "format": "json"}
    assert changes(old, new) == [
        "helper lib:clean changed",
        "it now reaches helper lib:more",
        "argument 'epochs' changed: 3 -> 5",
        "argument 'lr' was added: 0.1",
        "argument 'data' now uses upstream 'noise'",
        "format changed: 'auto' -> 'json'",
    ]
    before = {**new, "upstream": {"data": {"step": "noise", "by": "content", "token": "cid:8"}}}
    assert changes(before, new) == [
        "upstream 'noise' (argument 'data', not cached) produced a different value: "
        "cid:8 -> cid:9"]
    assert changes(old, {**old, "version": "002", "code": "v"}) == [
        "version changed: None -> '002'"]


def test_the_verdict_says_how_the_last_run_came_about() -> None:
    with pytest.raises(WorkflowError, match="no recorded run of step 'model'"):
        explain_last("model", [])
    first = run("t1", 1_000)
    assert "ran at" in explain_last("model", [first]).verdict
    assert "for the first time" in explain_last("model", [first]).verdict
    hit = run("t2", 2_000, reason="cached", served_from="t1")
    assert "was served from the cache" in explain_last("model", [first, hit]).verdict
    forced = explain_last("model", [first, run("t3", 3_000, reason="forced")])
    assert "because it was forced (--force)" in forced.verdict and forced.changes == ()
    lost = explain_last("model", [first, run("t4", 4_000)])
    assert "with the fingerprint of the run of" in lost.verdict
    assert "the cache held no complete entry" in lost.verdict
    always = explain_last("model", [first, run("t5", 5_000, reason="not cacheable",
                                               deterministic=False, content_id="cid:2")])
    assert "not cacheable (deterministic=False" in always.verdict
    assert always.changes[-1].startswith("its result changed since the run of")
    edited = explain_last("model", [hit, run("t6", 6_000, fingerprint="f2", args={"epochs": "x"},
                                             arg_values={"epochs": 4})])
    assert "its fingerprint changed since the run of" in edited.verdict
    assert "served from the cache)" in edited.verdict  # the run it is compared with
    assert edited.changes == ("argument 'epochs' changed: 3 -> 4",)
    assert edited.compared_to == "t2"


def test_what_a_run_would_do_now() -> None:
    last = run("t1", 1_000)
    now = {**last["custom_metadata"]["workflow_step"], "fingerprint": "f9",
           "args": {"epochs": "z"}, "arg_values": {"epochs": 8}}
    ahead = explain_next("model", now, "will run", "", [last])
    assert ahead.verdict.startswith("step 'model' (train) will run: its fingerprint changed")
    assert ahead.changes == ("argument 'epochs' changed: 3 -> 8",)
    assert "will be served from the cache" in explain_next("model", now, "cached", "",
                                                           [last]).verdict
    assert "no earlier run is recorded" in explain_next("model", now, "will run", "", []).verdict
    assert "decided when it runs (depends on noise)" in explain_next(
        "model", now, "at run time", "depends on noise", [last]).verdict
