"""The batching buffer: batches, flush, bounded memory without loss, fork, shutdown."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from capture import Flowcept, flowcept_task, recorder
from capture.buffer import BatchBuffer
from capture.hubs.file import read_jsonl
from provgraph.core.config import Settings
from tests.capture.conftest import tasks


def test_batches_are_at_most_max_batch_and_in_order() -> None:
    batches: list[list[int]] = []
    buffer = BatchBuffer(batches.append, max_batch=10, flush_interval_s=10, max_queue=1000)
    for i in range(95):
        buffer.add(i)
    assert buffer.force_flush(5)
    assert [i for batch in batches for i in batch] == list(range(95))
    assert max(len(b) for b in batches) <= 10
    buffer.shutdown(5)


def test_worker_exports_by_time_without_flush() -> None:
    exported: list[int] = []
    buffer = BatchBuffer(exported.extend, max_batch=1000, flush_interval_s=0.02, max_queue=5000)
    buffer.add(1)
    deadline = time.monotonic() + 5
    while not exported and time.monotonic() < deadline:
        time.sleep(0.01)
    assert exported == [1]
    buffer.shutdown(5)


def test_memory_stays_bounded_when_the_exporter_is_slow() -> None:
    """A blocked exporter makes producers wait; the queue never passes max_queue and
    nothing is dropped."""
    gate = threading.Event()
    exported: list[int] = []
    peak = 0

    def slow_export(batch: list[int]) -> None:
        gate.wait(5)
        exported.extend(batch)

    buffer = BatchBuffer(slow_export, max_batch=50, flush_interval_s=0.01, max_queue=200)

    def produce() -> None:
        nonlocal peak
        for i in range(2000):
            buffer.add(i)
            peak = max(peak, buffer.pending())

    producer = threading.Thread(target=produce)
    producer.start()
    time.sleep(0.2)
    assert buffer.pending() <= 200
    gate.set()
    producer.join(10)
    assert buffer.force_flush(10)
    assert peak <= 200
    assert sorted(exported) == list(range(2000))
    buffer.shutdown(5)


def test_failing_exporter_never_raises_into_the_producer() -> None:
    def broken(batch: list[int]) -> None:
        raise OSError("hub gone")

    buffer = BatchBuffer(broken, max_batch=2, flush_interval_s=10, max_queue=4)
    for i in range(20):
        buffer.add(i)  # would raise through back-pressure if errors escaped
    buffer.force_flush(5)
    assert buffer.failed_exports == 20
    buffer.shutdown(5)


def test_after_shutdown_adds_export_synchronously() -> None:
    exported: list[int] = []
    buffer = BatchBuffer(exported.extend, max_batch=10, flush_interval_s=10, max_queue=100)
    buffer.add(1)
    buffer.shutdown(5)
    buffer.add(2)
    assert exported == [1, 2]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_fork_child_records_its_own_tasks(settings: Settings) -> None:
    @flowcept_task
    def work(who):
        return who

    with Flowcept(workflow_name="fork"):
        work("parent-before")
        pid = os.fork()
        if pid == 0:  # child: record, flush and leave without running atexit handlers
            try:
                work("child")
                ok = recorder.flush(10)
                os._exit(0 if ok else 3)
            except BaseException:
                os._exit(4)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        work("parent-after")
    messages = read_jsonl(Path(settings.buffer_file))
    who = sorted(t["used"]["who"] for t in tasks(messages))
    assert who == ["child", "parent-after", "parent-before"]  # each exactly once
    ids = [t["task_id"] for t in tasks(messages)]
    assert len(set(ids)) == 3


def test_flush_at_exit_writes_everything(tmp_path: Path) -> None:
    """A script that never calls stop() still gets its tasks written at exit."""
    import subprocess
    import sys

    script = tmp_path / "script.py"
    script.write_text(
        "from capture import flowcept_task\n"
        "@flowcept_task\n"
        "def f(i):\n    return i\n"
        "for i in range(300):\n    f(i)\n"
    )
    env = {**os.environ, "PROVGRAPH_DATA_DIR": str(tmp_path / "data")}
    done = subprocess.run([sys.executable, str(script)], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    messages = read_jsonl(tmp_path / "data" / "buffer.jsonl")
    assert len(tasks(messages)) == 300
