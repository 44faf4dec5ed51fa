"""The ``provgraph`` command: help, bad input, ``keeper run`` draining on SIGTERM, and the
consumption services started from the Flowcept API (file hub, embedded store)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from capture import Flowcept, flowcept_task, recorder
from keeper.stores.embedded import EmbeddedStore
from provgraph.cli import main
from tests.conftest import wait_for
from tests.keeper.conftest import embedded_settings


@flowcept_task
def step(i):
    return i


def test_every_command_has_help(capsys) -> None:  # type: ignore[no-untyped-def]
    for argv in (["--help"], ["demo", "--help"], ["services", "--help"], ["replay", "--help"],
                 ["keeper", "run", "--help"]):
        try:
            main(argv)
        except SystemExit as exit_:
            assert exit_.code == 0
        assert "usage: provgraph" in capsys.readouterr().out


def test_bad_input_exits_non_zero_with_a_reason(capsys) -> None:  # type: ignore[no-untyped-def]
    try:
        main(["services", "sideways"])
    except SystemExit as exit_:
        assert exit_.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_keeper_run_drains_and_exits_on_sigterm(tmp_path: Path) -> None:
    settings = embedded_settings(tmp_path / "data")
    recorder.configure(settings)
    with Flowcept(workflow_name="sigterm", start_persistence=False):
        for i in range(300):
            step(i)
    recorder.configure(None)
    env = {**os.environ, "PROVGRAPH_DATA_DIR": str(tmp_path / "data"), "PROVGRAPH_HUB": "file",
           "PROVGRAPH_STORE": "embedded"}
    keeper = subprocess.Popen([sys.executable, "-m", "provgraph.cli", "keeper", "run"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    state = tmp_path / "data" / "keeper" / "file-source.json"
    wait_for(state.exists, 60, "the keeper to store the first batch")
    keeper.send_signal(signal.SIGTERM)
    out, err = keeper.communicate(timeout=60)
    assert keeper.returncode == 0, err.decode()
    assert "stored 301 messages" in out.decode()
    store = EmbeddedStore.open(settings.embedded_store_dir)
    assert len(store.find_nodes("Task")) == 300


def test_start_consumption_services_stores_what_was_captured(tmp_path: Path) -> None:
    settings = embedded_settings(tmp_path / "data")
    recorder.configure(settings)
    try:
        with Flowcept(workflow_name="later", start_persistence=False) as flowcept:
            for i in range(50):
                step(i)
        keeper = Flowcept.start_consumption_services(check_safe_stops=True)
        assert keeper.wait_stored(timeout=30)
        keeper.stop()
        tasks = Flowcept.db.task_query({"workflow_id": flowcept.current_workflow_id})
        assert sorted(t["used"]["i"] for t in tasks) == list(range(50))
    finally:
        recorder.configure(None)
