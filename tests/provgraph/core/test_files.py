"""The one atomic write: a target is whole or as it was, and nothing is left beside it."""

from __future__ import annotations

from pathlib import Path

import pytest

from provgraph.core.files import atomic_open, atomic_path, atomic_write


def test_atomic_write_creates_and_replaces(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "doc.json"
    atomic_write(target, b"one")
    atomic_write(target, b"two", fsync=True)
    assert target.read_bytes() == b"two"
    assert sorted(p.name for p in target.parent.iterdir()) == ["doc.json"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "doc.json"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError, match="half way"), atomic_open(target) as handle:
        handle.write(b"new, but only half")
        raise RuntimeError("half way")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["doc.json"]


def test_atomic_path_publishes_a_file_written_by_path(tmp_path: Path) -> None:
    target = tmp_path / "report.pdf"
    with atomic_path(target) as temp:
        assert temp.parent == tmp_path and not temp.exists()
        temp.write_text("pdf")
        assert not target.exists()  # nothing visible before the block ends
    assert target.read_text() == "pdf"


def test_a_failed_directory_is_removed(tmp_path: Path) -> None:
    target = tmp_path / "entry"
    with pytest.raises(OSError), atomic_path(target) as temp:
        temp.mkdir()
        (temp / "part").write_text("x")
        raise OSError("disk full")
    assert list(tmp_path.iterdir()) == []
