"""Every command that writes a file behaves the same (issue 23, items 5 and 11; issue 19's
"-o into a missing directory"): a missing directory, a full disk or a directory given as the
file is one line and status 2, nothing is created, no ``.partial`` is left; special files
are written through and symlinks followed."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from tests.exports.diamond import WORKFLOW, messages
from tests.provgraph.cli.test_prov_commands import BUNDLES, provgraph


@pytest.fixture
def jsonl(tmp_path: Path) -> Path:
    path = tmp_path / "buffer.jsonl"
    path.write_bytes(b"".join(orjson.dumps(m) + b"\n" for m in messages()))
    return path


def _commands(target: Path, jsonl: Path) -> list[list[str]]:
    return [["export", "--all", "-o", str(target.with_suffix(".json"))],
            ["viz", "--workflow", WORKFLOW, "-o", str(target.with_suffix(".svg"))],
            ["report", "--jsonl", str(jsonl), "-o", str(target.with_suffix(".md"))]]


def _leftovers(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*")
                  if p.name.endswith(".partial") or p.name == "missing")


def test_a_missing_directory_is_one_line_for_every_command(tmp_path: Path,
                                                           jsonl: Path) -> None:
    assert provgraph(tmp_path, "import", str(BUNDLES)).returncode == 0
    missing = tmp_path / "missing" / "dir"
    for command in _commands(missing / "out", jsonl):
        result = provgraph(tmp_path, *command)
        assert result.returncode == 2, (command, result.stderr)
        lines = result.stderr.decode().strip().splitlines()
        assert lines[-1] == (f"provgraph {command[0]}: cannot write {command[-1]}: there is "
                             f"no directory {missing} (provgraph creates none)"), command
        assert "Traceback" not in result.stderr.decode()
    assert not (tmp_path / "missing").exists() and _leftovers(tmp_path) == []


def test_a_full_disk_on_stdout_is_one_line(tmp_path: Path) -> None:
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    assert provgraph(tmp_path, "import", str(BUNDLES)).returncode == 0
    with open("/dev/full", "wb") as full:
        env = {**os.environ, "PROVGRAPH_DATA_DIR": str(tmp_path / "data"),
               "PROVGRAPH_STORE": "embedded"}
        result = subprocess.run([sys.executable, "-m", "provgraph.cli", "export", "--all"],
                                env=env, stdout=full, stderr=subprocess.PIPE, timeout=120,
                                check=False)
    assert result.returncode == 2
    assert result.stderr.decode() == ("provgraph export: cannot write <stdout>: No space left "
                                      "on device\n")


def test_special_files_are_written_through_and_symlinks_followed(tmp_path: Path,
                                                                jsonl: Path) -> None:
    assert provgraph(tmp_path, "import", str(BUNDLES)).returncode == 0
    null = os.stat("/dev/null")
    for command in (["export", "--all", "--format", "json"], ["report", "--jsonl", str(jsonl)]):
        result = provgraph(tmp_path, *command, "-o", "/dev/null")
        assert result.returncode == 0, (command, result.stderr)
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and after.st_ino == null.st_ino
    real = tmp_path / "real.json"
    real.write_bytes(b"old")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    assert provgraph(tmp_path, "export", "--all", "-o", str(link)).returncode == 0
    assert link.is_symlink() and orjson.loads(real.read_bytes())["bundle"]
