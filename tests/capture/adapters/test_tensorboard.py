"""The tensorboard interceptor on real event files, written with TensorBoard's own light
writer (no TensorFlow, no PyTorch)."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import pytest
from tensorboard.compat.proto import event_pb2, summary_pb2
from tensorboard.plugins.hparams import summary_v2 as hparams_summary
from tensorboard.summary.writer.event_file_writer import EventFileWriter

from capture import Flowcept, recorder
from provgraph.core.config import Settings
from tests.capture.conftest import read_all, tasks
from tests.conftest import wait_for


def write_run(directory: Path, scalars: dict[str, list[float]],
              hparams: dict[str, Any] | None = None) -> Path:
    """One event file: hparams (if any), then each scalar series by step."""
    before = set(directory.iterdir()) if directory.is_dir() else set()
    writer = EventFileWriter(str(directory))
    if hparams:
        writer.add_event(event_pb2.Event(wall_time=time.time(), step=0,
                                         summary=hparams_summary.hparams_pb(hparams)))
    for tag, series in scalars.items():
        for step, value in enumerate(series):
            summary = summary_pb2.Summary(value=[summary_pb2.Summary.Value(
                tag=tag, simple_value=value)])
            writer.add_event(event_pb2.Event(wall_time=time.time(), step=step,
                                             summary=summary))
    writer.close()
    [path] = set(directory.iterdir()) - before
    return path


@pytest.fixture
def logs(settings: Settings, tmp_path: Path) -> Path:
    settings.adapters.tensorboard.watch_interval_s = 0.1
    recorder.configure(settings)
    return tmp_path / "logs"


def runs(messages: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {m["activity_id"]: m for m in tasks(messages, subtype="tensorboard_run")}


def test_runs_with_hparams_and_scalars(logs: Path) -> None:
    first = write_run(logs / "lr-0.1", {"loss": [0.9, 0.5, 0.25], "acc": [0.5, 0.75]},
                      {"lr": 0.1, "optimizer": "adam", "augment": True})
    second = write_run(logs / "lr-0.01", {"loss": [1.0, 0.8]}, {"lr": 0.01})
    plain = write_run(logs / "nested" / "no-hparams", {"loss": [2.0]})
    with Flowcept("tensorboard", tensorboard_log_dir=str(logs), start_persistence=False) as run:
        pass
    found = runs(read_all())
    assert set(found) == {"lr-0.1", "lr-0.01", "nested/no-hparams"}
    fast = found["lr-0.1"]
    assert fast["used"] == {"lr": 0.1, "optimizer": "adam", "augment": True}
    assert fast["generated"] == {"loss": 0.25, "acc": 0.75,
                                 "scalar_points": {"loss": 3, "acc": 2},
                                 "event_file": str(first)}
    assert found["lr-0.01"]["generated"]["loss"] == 0.8
    assert found["lr-0.01"]["generated"]["event_file"] == str(second)
    assert found["nested/no-hparams"]["used"] == {}
    assert found["nested/no-hparams"]["generated"]["event_file"] == str(plain)
    assert fast["workflow_id"] == run.current_workflow_id
    assert fast["status"] == "FINISHED" and fast["started_at"] <= fast["ended_at"]


def test_run_added_while_watching_and_growing(logs: Path) -> None:
    write_run(logs / "early", {"loss": [1.0]})
    with Flowcept("tensorboard", tensorboard_log_dir=str(logs), start_persistence=False):
        wait_for(lambda: "early" in runs(read_all()), 30, "the run there at start")
        write_run(logs / "late", {"loss": [0.7, 0.6]}, {"batch": 32})
        late = wait_for(lambda: runs(read_all()).get("late"), 30, "the run added meanwhile")
        assert late["used"] == {"batch": 32.0}  # TensorBoard keeps numbers as doubles
        write_run(logs / "early", {"loss": [0.1]})  # a second event file in the same run
        wait_for(lambda: "event_file_2" in runs(read_all())["early"]["generated"], 30,
                 "the run's second event file")
    early = [m for m in tasks(read_all()) if m["activity_id"] == "early"][-1]
    assert early["generated"]["scalar_points"] == {"loss": 2}
    assert early["generated"]["loss"] == 0.1  # step 0 again, logged later: the last value
    assert len({m["task_id"] for m in tasks(read_all()) if m["activity_id"] == "early"}) == 1


def test_truncated_event_file_warns_and_keeps_the_rest(logs: Path,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    good = write_run(logs / "good", {"loss": [0.5, 0.4]})
    cut = write_run(logs / "cut", {"loss": [0.9, 0.8, 0.7]})
    data = cut.read_bytes()
    cut.write_bytes(data[:-10])  # the last record cut short
    with caplog.at_level(logging.WARNING), Flowcept("tensorboard",
                                                    tensorboard_log_dir=str(logs),
                                                    start_persistence=False):
        pass
    assert f"{cut} is truncated or corrupt at byte" in caplog.text
    assert str(good) not in caplog.text
    found = runs(read_all())
    assert found["good"]["generated"]["loss"] == 0.4
    assert found["cut"]["generated"]["scalar_points"] == {"loss": 2}  # what came before
    assert found["cut"]["generated"]["loss"] == 0.8


def test_log_dir_created_after_start(logs: Path) -> None:
    with Flowcept("tensorboard", tensorboard_log_dir=str(logs), start_persistence=False):
        write_run(logs / "run", {"loss": [0.3]})
    assert runs(read_all())["run"]["generated"]["loss"] == 0.3


def test_without_a_log_dir_a_clear_error(settings: Settings,
                                         caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR), Flowcept("tensorboard", start_persistence=False):
        pass
    assert "tensorboard_log_dir=" in caplog.text
    assert tasks(read_all()) == []


def test_runs_in_the_store(logs: Path) -> None:
    write_run(logs / "stored", {"loss": [0.5]}, {"lr": 0.2})
    with Flowcept("tensorboard", tensorboard_log_dir=str(logs)):
        pass
    [stored] = Flowcept.db.task_query({"activity_id": "stored"})
    assert stored["used"] == {"lr": 0.2}
    assert stored["generated"]["loss"] == 0.5
