"""``@lightweight_flowcept_task`` keeps a call's values by reference and encodes them when
its batch is exported (as Flowcept's lightweight decorator does): ids, parents and order
stay those of the calls, nothing is lost at exit, and the values are those at flush."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import orjson

from capture import Flowcept, flowcept_task, lightweight_flowcept_task, recorder
from tests.capture.conftest import read_all, tasks


def test_ids_parents_and_order_are_those_of_the_calls() -> None:
    @lightweight_flowcept_task
    def square(x: int) -> int:
        return x * x

    @flowcept_task
    def outer() -> int:
        return sum(square(i) for i in range(3))

    with Flowcept(workflow_name="light"):
        outer()
        for i in range(3, 6):
            square(i)
    found = tasks(read_all(), activity_id="square")
    assert [m["used"]["x"] for m in found] == [0, 1, 2, 3, 4, 5]
    assert [m["generated"]["arg_0"] for m in found] == [0, 1, 4, 9, 16, 25]
    [parent] = tasks(read_all(), activity_id="outer")
    assert [m.get("parent_task_id") for m in found] == [parent["task_id"]] * 3 + [None] * 3
    assert len({m["task_id"] for m in found}) == 6
    assert all(m["status"] == "FINISHED" and m["ended_at"] > 0 for m in found)


def test_values_are_recorded_as_they_are_when_the_batch_is_exported() -> None:
    @lightweight_flowcept_task
    def append_one(items: list[int]) -> int:
        items.append(1)
        return len(items)

    data: list[int] = []
    with Flowcept(workflow_name="light-mutable"):
        append_one(data)
        data.append(2)  # before the flush: a lightweight task records this too
        recorder.flush()
        data.append(3)  # after: not recorded
    [message] = tasks(read_all(), activity_id="append_one")
    assert message["used"]["items"] == [1, 2]


def test_nothing_is_lost_when_the_program_exits(tmp_path: Path) -> None:
    program = textwrap.dedent('''
        from capture import Flowcept, lightweight_flowcept_task

        @lightweight_flowcept_task
        def step(i):
            return i + 1

        Flowcept(workflow_name="exit").start()
        for i in range(2500):
            step(i)
        # no stop, no flush: the buffer's exit hook exports what is queued
    ''')
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("PROVGRAPH_")},
           "PROVGRAPH_DATA_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", program], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = (tmp_path / "buffer.jsonl").read_bytes().splitlines()
    found = [m for m in map(orjson.loads, lines) if m.get("activity_id") == "step"]
    assert [m["used"]["i"] for m in found] == list(range(2500))
