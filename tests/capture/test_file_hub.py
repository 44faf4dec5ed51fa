"""The file hub with several processes appending to one buffer file (Dask workers,
multiprocessing): every batch lands whole and every line is one message."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import orjson

from capture import recorder
from capture.hubs.file import FileHub, read_jsonl
from provgraph.core.config import Settings

PROCESSES, BATCHES, PER_BATCH = 4, 150, 40
PADDING = "x" * 900  # ~1 KB lines: batches of ~40 KB, well past a pipe's atomic size


def _append(path: str, process: int) -> None:
    hub = FileHub(path)
    for batch in range(BATCHES):
        hub.emit([orjson.dumps({"p": process, "b": batch, "i": i, "pad": PADDING})
                  for i in range(PER_BATCH)])
    hub.close()


def test_processes_append_whole_batches(tmp_path: Path) -> None:
    path = tmp_path / "buffer.jsonl"
    context = multiprocessing.get_context("spawn")
    procs = [context.Process(target=_append, args=(str(path), p)) for p in range(PROCESSES)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(120)
        assert proc.exitcode == 0
    messages = read_jsonl(path)  # raises if any line was cut or mixed with another
    assert len(messages) == PROCESSES * BATCHES * PER_BATCH
    # Each batch is contiguous in the file, its messages in order.
    for start in range(0, len(messages), PER_BATCH):
        batch = messages[start:start + PER_BATCH]
        assert {(m["p"], m["b"]) for m in batch} == {(batch[0]["p"], batch[0]["b"])}
        assert [m["i"] for m in batch] == list(range(PER_BATCH))


def _record_in_child(count: int) -> None:
    for i in range(count):
        recorder.record({"who": "child", "i": i, "pad": PADDING})
    recorder.flush()


def test_forked_child_and_parent_share_the_buffer_file(settings: Settings) -> None:
    recorder.record({"who": "parent", "i": -1, "pad": PADDING})
    recorder.flush()  # the parent's descriptor is open before the fork
    child = multiprocessing.get_context("fork").Process(target=_record_in_child, args=(3000,))
    child.start()
    for i in range(3000):
        recorder.record({"who": "parent", "i": i, "pad": PADDING})
    recorder.flush()
    child.join(120)
    assert child.exitcode == 0
    messages = read_jsonl(settings.buffer_file)
    for who in ("parent", "child"):
        mine = [m["i"] for m in messages if m["who"] == who]
        assert mine == list(range(-1 if who == "parent" else 0, 3000))
