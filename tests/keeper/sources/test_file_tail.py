"""The file-hub source: offsets survive restarts, replaced files are read from the start,
partial lines wait for their end, and no line holds it: over-long lines and torn tails
become dead-letter deliveries."""

from __future__ import annotations

from pathlib import Path

import orjson

from keeper.sources.base import Delivery
from keeper.sources.file_tail import DEAD_LETTER_HEAD, MAX_READ_BYTES, FileTailSource
from tests.conftest import wait_for


def line(task_id: str) -> bytes:
    return orjson.dumps({"type": "task", "task_id": task_id}) + b"\n"


def read_ids(source: FileTailSource) -> list[str]:
    deliveries = source.read(100, 0)
    source.ack(deliveries)
    return [m["task_id"] for d in deliveries for m in d.messages or []]


def test_offset_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "buffer.jsonl"
    path.write_bytes(line("a") + line("b"))
    assert read_ids(FileTailSource(path, tmp_path / "state")) == ["a", "b"]
    with open(path, "ab") as handle:
        handle.write(line("c"))
    assert read_ids(FileTailSource(path, tmp_path / "state")) == ["c"]


def test_a_file_rewritten_to_the_same_size_is_read_again(tmp_path: Path) -> None:
    """Same inode (rewritten in place), same size: only the content tells it is new."""
    path = tmp_path / "buffer.jsonl"
    path.write_bytes(line("run1-a") + line("run1-b"))
    source = FileTailSource(path, tmp_path / "state")
    assert read_ids(source) == ["run1-a", "run1-b"]
    inode = path.stat().st_ino
    with open(path, "wb") as handle:  # truncate and rewrite: the inode stays
        handle.write(line("run2-a") + line("run2-b"))
    assert path.stat().st_ino == inode
    assert read_ids(source) == ["run2-a", "run2-b"]
    assert read_ids(FileTailSource(path, tmp_path / "state")) == []


def test_a_partial_last_line_waits_for_its_end(tmp_path: Path) -> None:
    path = tmp_path / "buffer.jsonl"
    whole = line("x")
    path.write_bytes(line("w") + whole[:5])
    source = FileTailSource(path, tmp_path / "state")
    assert read_ids(source) == ["w"]
    assert source.backlog() == 5
    with open(path, "ab") as handle:
        handle.write(whole[5:])
    assert read_ids(source) == ["x"]
    assert source.backlog() == 0


def task_line(task_id: str, padding: int = 0) -> bytes:
    message = {"type": "task", "task_id": task_id, "used": {"blob": "p" * padding}}
    return orjson.dumps(message) + b"\n"


def drain(source: FileTailSource, reads: int = 10) -> list[Delivery]:
    """Deliveries of up to ``reads`` reads (each acknowledged), until the backlog is 0."""
    out: list[Delivery] = []
    for _ in range(reads):
        deliveries = source.read(100, 0)
        source.ack(deliveries)
        out += deliveries
        if not source.backlog():
            break
    return out


def test_a_line_longer_than_the_read_window_is_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "buffer.jsonl"
    path.write_bytes(line("a") + task_line("big", MAX_READ_BYTES + 2_000_000) + line("c"))
    source = FileTailSource(path, tmp_path / "state")
    ids = [m["task_id"] for d in drain(source) for m in d.messages or []]
    assert ids == ["a", "big", "c"]
    assert source.backlog() == 0


def test_a_line_longer_than_max_line_bytes_becomes_a_dead_letter_delivery(
    tmp_path: Path,
) -> None:
    path = tmp_path / "buffer.jsonl"
    path.write_bytes(line("a") + task_line("huge", 3_000_000) + line("c"))
    source = FileTailSource(path, tmp_path / "state", max_line_bytes=1_000_000)
    deliveries = drain(source)
    assert [d.messages[0]["task_id"] for d in deliveries if d.messages] == ["a", "c"]
    [bad] = [d for d in deliveries if d.messages is None]
    assert bad.error is not None and "longer than keeper.max_line_bytes (1000000)" in bad.error
    assert len(bad.payload) == DEAD_LETTER_HEAD and bad.payload.startswith(b'{"type":"task"')
    assert source.backlog() == 0


def test_a_torn_last_line_is_handed_out_once_it_stays_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "buffer.jsonl"
    torn = line("torn-task-with-a-longer-id")[:-9]
    path.write_bytes(line("a") + line("b") + torn)
    source = FileTailSource(path, tmp_path / "state", torn_line_s=0.3)
    assert read_ids(source) == ["a", "b"]
    assert source.read(100, 0) == []  # may still be being written
    assert source.waiting_for() is not None and f"{len(torn)} bytes" in source.waiting_for()
    [tail] = wait_for(lambda: source.read(100, 50), 10, "the torn tail as a delivery")
    assert tail.messages is None and tail.payload == torn
    assert tail.error is not None and f"incomplete last line of {len(torn)} bytes" in tail.error
    source.ack([tail])
    assert source.backlog() == 0
    with open(path, "ab") as handle:  # what the file hub writes next: a new line first
        handle.write(b"\n" + line("next"))
    assert read_ids(source) == ["next"]


def test_a_last_line_that_keeps_growing_is_not_torn(tmp_path: Path) -> None:
    path = tmp_path / "buffer.jsonl"
    whole = task_line("slow", 1000)
    path.write_bytes(whole[:100])
    source = FileTailSource(path, tmp_path / "state", torn_line_s=0.2)
    for end in range(200, len(whole), 100):  # a writer adding to it: never handed out
        assert source.read(100, 150) == []
        with open(path, "ab") as handle:
            handle.write(whole[end - 100:end])
    with open(path, "ab") as handle:
        handle.write(whole[(len(whole) - 1) // 100 * 100:])
    assert read_ids(source) == ["slow"]
