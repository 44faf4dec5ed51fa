"""The one output write: a regular target is whole or as it was, nothing is left beside it,
special files are written through, symlinks followed, and a missing directory is one line
(issue 23, items 5 and 11; issue 19's "-o into a missing directory" and file modes)."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from provgraph.core.errors import OutputError
from provgraph.core.files import atomic_open, atomic_path, atomic_write


def test_atomic_write_creates_and_replaces(tmp_path: Path) -> None:
    target = tmp_path / "doc.json"
    atomic_write(target, b"one")
    atomic_write(target, b"two", fsync=True)
    assert target.read_bytes() == b"two"
    assert sorted(p.name for p in target.parent.iterdir()) == ["doc.json"]


def test_a_missing_directory_is_one_line_and_nothing_is_created(tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "doc.json"
    for write in (lambda: atomic_write(target, b"x"),
                  lambda: atomic_path(target).__enter__()):
        with pytest.raises(OutputError) as caught:
            write()
        assert str(caught.value) == (f"cannot write {target}: there is no directory "
                                     f"{target.parent} (provgraph creates none)")
    assert list(tmp_path.iterdir()) == []


def test_a_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="it is a directory"):
        atomic_write(tmp_path, b"x")


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


def test_a_new_file_gets_the_umask_mode_and_a_replaced_one_keeps_its_own(
        tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        fresh = tmp_path / "page.html"
        atomic_write(fresh, b"x")
        with atomic_path(tmp_path / "report.pdf") as temp:
            temp.write_bytes(b"%PDF")
        kept = tmp_path / "kept.md"
        kept.write_bytes(b"old")
        kept.chmod(0o640)
        atomic_write(kept, b"new")
    finally:
        os.umask(old)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "report.pdf").stat().st_mode) == 0o644
    assert stat.S_IMODE(kept.stat().st_mode) == 0o640


def test_a_symlink_is_followed_and_stays_a_link(tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    real.write_bytes(b"old")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    atomic_write(link, b"new")
    assert link.is_symlink() and real.read_bytes() == b"new"
    dangling = tmp_path / "dangling.json"
    dangling.symlink_to(tmp_path / "made.json")
    with atomic_path(dangling) as temp:
        temp.write_bytes(b"made")
    assert dangling.is_symlink() and (tmp_path / "made.json").read_bytes() == b"made"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "dangling.json", "link.json", "made.json", "real.json"]


def _read_fifo(path: Path, into: list[bytes]) -> threading.Thread:
    thread = threading.Thread(target=lambda: into.append(path.read_bytes()), daemon=True)
    thread.start()
    return thread


def _by_path(target: Path, data: bytes) -> None:
    with atomic_path(target) as temp:
        temp.write_bytes(data)


def test_a_fifo_is_written_through_never_replaced(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for write in (lambda: atomic_write(fifo, b"streamed"),
                  lambda: _by_path(fifo, b"streamed")):
        got: list[bytes] = []
        reader = _read_fifo(fifo, got)
        write()
        reader.join(timeout=10)
        assert got == [b"streamed"]
        assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["pipe"]


def test_a_character_device_is_written_through() -> None:
    before = os.stat("/dev/null")
    atomic_write("/dev/null", b"nothing")
    _by_path(Path("/dev/null"), b"nothing")
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev
    assert after.st_ino == before.st_ino


def test_a_full_device_is_one_line() -> None:
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    with pytest.raises(OutputError) as caught:
        atomic_write("/dev/full", b"x" * 100_000)
    assert str(caught.value) == "cannot write /dev/full: No space left on device"
