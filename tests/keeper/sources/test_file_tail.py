"""The file-hub source: offsets survive restarts, replaced files are read from the start,
partial lines wait for their end."""

from __future__ import annotations

from pathlib import Path

import orjson

from keeper.sources.file_tail import FileTailSource


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
