"""A real keeper process (``provgraph keeper run``, file hub -> embedded store) killed with
SIGKILL while it writes: the database holds whole batches only, and the keeper run again
stores every message exactly once (the graph equals one written in a single go)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import orjson

from keeper.stores.embedded import EmbeddedStore
from prov_model import map_batch
from provgraph.core.config import load_settings

REPO = Path(__file__).resolve().parents[3]
TASKS = 30_000
LONG = "a long value passed from one task to the next"


def messages() -> list[dict[str, Any]]:
    return [{"type": "task", "task_id": f"t{i}", "workflow_id": f"wf{i // 1000}",
             "activity_id": "step", "status": "FINISHED", "started_at": float(i),
             "used": {"x": f"{LONG} {i - 1}", "n": i},
             "generated": {"y": f"{LONG} {i}"}} for i in range(TASKS)]


def snapshot(store: EmbeddedStore) -> tuple[list[Any], list[Any]]:
    nodes = sorted(store.iter_nodes(), key=lambda n: n["id"])
    edges = sorted(store.iter_edges(), key=lambda e: orjson.dumps(e, option=orjson.OPT_SORT_KEYS))
    return nodes, edges


def keeper(data: Path, *args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PROVGRAPH_DATA_DIR": str(data), "PROVGRAPH_HUB": "file",
           "PROVGRAPH_STORE": "embedded"}
    return subprocess.Popen([sys.executable, "-m", "provgraph.cli", "keeper", "run", "-q",
                             *args], cwd=REPO, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)


def whole_batches(store: EmbeddedStore) -> None:
    """Every stored task has all it was written with: a batch was never cut in half."""
    for node in store.iter_nodes(("Task",)):
        task_id = node["id"]
        i = int(task_id[1:])
        kinds = sorted(e["type"] for e in store.edges(task_id, "out"))
        expected = ["USED", "USED", "WAS_PART_OF"] + (["WAS_INFORMED_BY"] if i and
                                                      store.get_node(f"t{i - 1}") else [])
        assert sorted(kinds) == sorted(expected), (task_id, kinds)
        back = ["WAS_GENERATED_BY"] + (["WAS_INFORMED_BY"] if store.get_node(f"t{i + 1}")
                                       else [])
        assert sorted(e["type"] for e in store.edges(task_id, "in")) == back, task_id


def test_a_keeper_killed_mid_write_loses_and_repeats_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    settings = load_settings(environ={"PROVGRAPH_DATA_DIR": str(data)})
    settings.buffer_file.parent.mkdir(parents=True, exist_ok=True)
    settings.buffer_file.write_bytes(b"".join(orjson.dumps(m) + b"\n" for m in messages()))
    reader = EmbeddedStore(settings.embedded_store_dir)  # another process's view
    process = keeper(data)
    try:
        deadline = time.monotonic() + 120
        while reader.counts()["nodes"].get("Task", 0) < 2000:
            assert process.poll() is None, process.stderr.read()  # type: ignore[union-attr]
            assert time.monotonic() < deadline, "the keeper stored nothing in time"
            time.sleep(0.01)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(30)
        stored = reader.counts()["nodes"]["Task"]
        assert 0 < stored < TASKS, "the keeper was not killed mid-run"
        whole_batches(reader)
        again = keeper(data, "--until-idle")
        assert again.wait(300) == 0, again.stderr.read()  # type: ignore[union-attr]
        assert reader.counts()["nodes"]["Task"] == TASKS
        reference = EmbeddedStore(tmp_path / "reference")
        reference.write(map_batch(messages()))
        assert snapshot(reader) == snapshot(reference)
        reference.close()
    finally:
        if process.poll() is None:
            process.kill()
        reader.close()
