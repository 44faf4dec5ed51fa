"""Bad files and faults of the embedded store: one line naming the file, never a traceback,
and nothing already stored is lost. A full disk during a write is in
``test_embedded_store.py``; a keeper killed mid-write in ``test_embedded_kill.py``."""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from keeper.stores.embedded import EmbeddedStore
from prov_model import map_batch
from provgraph.core.errors import StoreUnavailableError

REPO = Path(__file__).resolve().parents[3]
LONG = "a long value shared between the tasks"


def tasks(n: int) -> list[dict[str, Any]]:
    return [{"type": "task", "task_id": f"t{i}", "workflow_id": "wf", "status": "FINISHED",
             "used": {"x": f"{LONG} {i - 1}"}, "generated": {"y": f"{LONG} {i}"}}
            for i in range(n)]


def filled(directory: Path, n: int = 50) -> dict[str, Any]:
    store = EmbeddedStore(directory)
    store.write(map_batch(tasks(n)))
    counts = store.counts()
    store.close()
    return counts


def cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PROVGRAPH_DATA_DIR": str(data_dir), "PROVGRAPH_STORE": "embedded"}
    return subprocess.run([sys.executable, "-m", "provgraph.cli", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=60)


def one_line_error(done: subprocess.CompletedProcess[str], path: Path) -> str:
    assert done.returncode == 2, done
    assert "Traceback" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    assert str(path) in lines[0]
    return lines[0]


def test_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    directory = tmp_path / "embedded"
    directory.mkdir()
    garbage = b"this is not a database, it is a note\n" * 200
    (directory / "graph.db").write_bytes(garbage)
    with pytest.raises(StoreUnavailableError, match="not a provgraph store") as info:
        EmbeddedStore(directory)
    assert str(directory / "graph.db") in str(info.value)
    line = one_line_error(cli(tmp_path, "lineage", "upstream", "t1"), directory / "graph.db")
    assert "not a provgraph store" in line
    assert (directory / "graph.db").read_bytes() == garbage  # untouched


def test_a_sqlite_database_of_something_else(tmp_path: Path) -> None:
    directory = tmp_path / "embedded"
    directory.mkdir()
    other = sqlite3.connect(directory / "graph.db")
    other.execute("CREATE TABLE notes(text TEXT)")
    other.execute("INSERT INTO notes VALUES ('keep me')")
    other.commit()
    other.close()
    with pytest.raises(StoreUnavailableError, match="not a provgraph store"):
        EmbeddedStore(directory)
    check = sqlite3.connect(directory / "graph.db")
    assert check.execute("SELECT text FROM notes").fetchall() == [("keep me",)]
    check.close()


def test_a_newer_schema_version(tmp_path: Path) -> None:
    directory = tmp_path / "embedded"
    counts = filled(directory)
    conn = sqlite3.connect(directory / "graph.db")
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(StoreUnavailableError, match="schema version 99, newer"):
        EmbeddedStore(directory)
    one_line_error(cli(tmp_path, "lineage", "upstream", "t1"), directory / "graph.db")
    conn = sqlite3.connect(directory / "graph.db")
    conn.execute("PRAGMA user_version = 1")
    conn.close()
    store = EmbeddedStore(directory)
    assert store.counts() == counts  # nothing lost
    store.close()


def test_a_corrupt_page(tmp_path: Path) -> None:
    directory = tmp_path / "embedded"
    filled(directory, 400)
    path = directory / "graph.db"
    data = bytearray(path.read_bytes())
    page = 4096
    assert len(data) > 8 * page
    for start in range(2 * page, len(data) - page, page):  # every page but the first and last
        data[start : start + 64] = b"\xff" * 64
    path.write_bytes(bytes(data))
    errors = []
    store = None
    try:
        store = EmbeddedStore(directory)
        store.counts()
        list(store.iter_nodes())
        store.get_node("t5")
    except StoreUnavailableError as exc:
        errors.append(str(exc))
    finally:
        if store is not None:
            store.close()
    assert errors and "is corrupt" in errors[0] and str(path) in errors[0]
    line = one_line_error(cli(tmp_path, "lineage", "upstream", "t5"), path)
    assert "corrupt" in line or "not a provgraph store" in line
    assert path.read_bytes() == bytes(data)  # reading never rewrote it


@contextlib.contextmanager
def read_only(directory: Path) -> Iterator[None]:
    """The directory made read-only, for root too (the immutable attribute) when the file
    system has it, else by its mode."""
    if os.geteuid() == 0:
        if shutil.which("chattr") is None or subprocess.run(
                ["chattr", "+i", str(directory)], capture_output=True).returncode != 0:
            pytest.skip("root without an immutable attribute: cannot make a read-only dir")
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(directory)], check=True)
    else:
        mode = directory.stat().st_mode
        directory.chmod(0o555)
        try:
            yield
        finally:
            directory.chmod(mode)


def test_a_read_only_directory(tmp_path: Path) -> None:
    directory = tmp_path / "embedded"
    counts = filled(directory)
    with read_only(directory):
        with pytest.raises(StoreUnavailableError, match="read-only") as info:
            store = EmbeddedStore(directory)
            store.write(map_batch(tasks(60)))
        assert str(directory) in str(info.value)
        one_line_error(cli(tmp_path, "lineage", "upstream", "t1"), directory / "graph.db")
    store = EmbeddedStore(directory)
    assert store.counts() == counts  # nothing lost
    store.close()


def test_a_missing_directory_that_cannot_be_created(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(StoreUnavailableError, match="cannot create"):
        EmbeddedStore(blocker / "embedded")
