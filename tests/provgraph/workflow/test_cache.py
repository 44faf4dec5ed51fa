"""Cache entries are atomic: a step killed (SIGKILL, a real process) or failing while its
result is written leaves no entry that could count as a hit."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from provgraph.workflow import CacheEntry, FilesystemWorkflowCache, ResultFormat, WorkflowError
from provgraph.workflow.result_formats import JsonFormat
from tests.conftest import wait_for

SCRIPT = textwrap.dedent('''
    import os, sys, time
    from pathlib import Path
    from provgraph import workflow
    from provgraph.workflow import DefaultWorkflowExecutor, FilesystemWorkflowCache, ResultFormat
    from provgraph.workflow import WorkflowGraph

    class HalfThenWait(ResultFormat):
        """Writes half the text, then (when asked) says so and hangs before the rest."""

        def write(self, artifact, directory):
            with open(directory / "data.txt", "w") as out:
                out.write(artifact[: len(artifact) // 2])
                out.flush()
                if os.environ.get("SIGNAL_FILE"):
                    Path(os.environ["SIGNAL_FILE"]).write_text("half written")
                    time.sleep(120)
                out.write(artifact[len(artifact) // 2:])

        def read(self, directory):
            return (directory / "data.txt").read_text()

    @workflow.step(format=HalfThenWait())
    def big_text(n: int) -> str:
        print("RAN", flush=True)
        return "x" * n

    graph = WorkflowGraph.from_config({"steps": {"text": {"type": "big_text", "n": 1000}}})
    ctx = DefaultWorkflowExecutor()(graph, cache=FilesystemWorkflowCache(sys.argv[1]),
                                    start_persistence=False)
    print(ctx.outcomes["text"].status, len(ctx.results["text"]), flush=True)
''')


def _run(script: Path, cache: Path, env: dict[str, str]) -> str:
    done = subprocess.run([sys.executable, str(script), str(cache)], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_step_killed_while_writing_its_result_leaves_no_hit(tmp_path: Path) -> None:
    script = tmp_path / "slow_write.py"
    script.write_text(SCRIPT)
    cache_dir = tmp_path / "cache"
    env = {**os.environ, "PROVGRAPH_DATA_DIR": str(tmp_path / "data")}
    signal_file = tmp_path / "half-written"
    writer = subprocess.Popen([sys.executable, str(script), str(cache_dir)],
                              env={**env, "SIGNAL_FILE": str(signal_file)},
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        wait_for(signal_file.exists, 60, "the step to be half-way through writing its result")
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=30)
    assert writer.returncode == -signal.SIGKILL
    # A half-written file exists on disk, but not as an entry.
    assert list(cache_dir.rglob("data.txt")), "the kill came before the write started"
    assert FilesystemWorkflowCache(cache_dir).entries() == []
    assert [p.name for p in cache_dir.iterdir() if not p.name.startswith(".")] == []

    rerun = _run(script, cache_dir, env)
    assert rerun.splitlines() == ["RAN", "ran 1000"]  # a miss: the step ran again, whole
    assert _run(script, cache_dir, env).splitlines() == ["cached 1000"]


class Failing(ResultFormat):
    def write(self, artifact: object, directory: Path) -> None:
        (directory / "part").write_text("half")
        raise OSError("disk full")


def test_a_write_that_fails_leaves_nothing(tmp_path: Path) -> None:
    cache = FilesystemWorkflowCache(tmp_path)
    entry = CacheEntry("f1", "json", "cid:1")
    with pytest.raises(OSError, match="disk full"):
        cache.store("f1", "value", Failing(), entry)
    assert "f1" not in cache and not (tmp_path / "f1").exists()
    assert list((tmp_path / ".incomplete").iterdir()) == []


def test_an_entry_without_its_marker_is_not_a_hit_and_a_replacement_is_whole(
        tmp_path: Path) -> None:
    cache = FilesystemWorkflowCache(tmp_path)
    (tmp_path / "f2").mkdir()
    (tmp_path / "f2" / "result.json").write_text("[1, 2")  # e.g. written by another tool
    assert "f2" not in cache and cache.entry("f2") is None
    cache.store("f2", [1, 2, 3], JsonFormat(), CacheEntry("f2", "json", "cid:a"))
    assert cache.load("f2") == [1, 2, 3]
    cache.store("f2", [4], JsonFormat(), CacheEntry("f2", "json", "cid:b"))  # a forced re-run
    assert cache.load("f2") == [4] and cache.entry("f2").content_id == "cid:b"  # type: ignore[union-attr]
    cache.remove("f2")
    assert "f2" not in cache
    with pytest.raises(WorkflowError, match="not a fingerprint"):
        cache.entry("../etc")
