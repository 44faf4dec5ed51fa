"""Task ids: ``<prefix>.<n>`` counting from 1, across the 1000-id blocks, and unique
across threads and after fork."""

from __future__ import annotations

import os
import threading

import orjson

from capture import ids
from capture.serialize import head


def test_task_ids_count_up_across_block_boundaries() -> None:
    ids._reinit_after_fork()  # a fresh stream: the first ids of the process
    got = [ids.new_task_id() for _ in range(3005)]
    prefix = ids._prefix
    assert len(prefix) == 16
    assert got == [f"{prefix}.{n}" for n in range(1, 3006)]
    assert next(ids.task_ids) == f"{prefix}.3006"


def test_task_ids_are_unique_across_threads() -> None:
    per_thread: list[list[str]] = [[] for _ in range(4)]

    def take(out: list[str]) -> None:
        out.extend(ids.new_task_id() for _ in range(20_000))

    threads = [threading.Thread(target=take, args=(out,)) for out in per_thread]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = [task_id for out in per_thread for task_id in out]
    assert len(set(every)) == len(every) == 80_000


def test_a_forked_child_gets_another_prefix() -> None:
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report its first id and leave at once
        os.write(write, ids.new_task_id().encode())
        os._exit(0)
    os.close(write)
    child = os.read(read, 100).decode()
    os.close(read)
    os.waitpid(pid, 0)
    assert child.endswith(".1")
    assert child.split(".")[0] != ids._prefix


def test_head_encodes_as_the_fixed_fields_in_place() -> None:
    fixed = head({"type": "task", "activity_id": "f", "code": {"module": "m", "n": [1, 2]}})
    encoded = orjson.dumps({"type": fixed, "task_id": "p.1", "used": {"x": 1}})
    assert orjson.loads(encoded) == {
        "type": "task", "activity_id": "f", "code": {"module": "m", "n": [1, 2]},
        "task_id": "p.1", "used": {"x": 1},
    }
