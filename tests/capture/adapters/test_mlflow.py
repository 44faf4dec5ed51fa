"""The mlflow interceptor with the real mlflow library: runs logged by a script (another
process) into MLflow's default store, an explicit SQLite store, and the legacy file store."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import mlflow
import pytest

from capture import Flowcept, recorder
from provgraph.core.config import Settings
from tests.capture.conftest import read_all, tasks
from tests.conftest import wait_for

SCRIPT = '''
import sys, mlflow
mlflow.set_experiment(sys.argv[1])
with mlflow.start_run(run_name="train") as run:
    mlflow.log_params({"lr": 0.01, "epochs": 3})
    mlflow.set_tag("team", "vision")
    for step, loss in enumerate([0.9, 0.4, 0.0]):
        mlflow.log_metric("loss", loss, step=step)   # the last value is 0.0
    mlflow.log_metric("accuracy", 0.97)
    with open("model.txt", "w") as f:
        f.write("weights")
    mlflow.log_artifact("model.txt", artifact_path="model")
try:
    with mlflow.start_run(run_name="broken"):
        mlflow.log_param("lr", 1.0)
        raise RuntimeError("diverged")
except RuntimeError:
    pass
with mlflow.start_run(run_name="bare"):
    pass
'''


@pytest.fixture(scope="module")
def sqlite_uri(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One SQLite store for the module (creating its tables takes seconds)."""
    path = tmp_path_factory.mktemp("mlflow") / "mlflow.db"
    uri = f"sqlite:///{path}"
    mlflow.MlflowClient(tracking_uri=uri).search_experiments()
    return uri


@pytest.fixture
def experiment() -> str:
    return f"exp-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def watch(settings: Settings, experiment: str) -> Iterator[Settings]:
    """The adapter settings of a test: its experiment only, polled often."""
    settings.adapters.mlflow.experiments = experiment
    settings.adapters.mlflow.watch_interval_s = 0.1
    recorder.configure(settings)
    yield settings


def log_runs(cwd: Path, experiment: str, env: dict[str, str] | None = None) -> None:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
    environ.update(env or {})
    subprocess.run([sys.executable, "-c", SCRIPT, experiment], cwd=cwd, env=environ,
                   check=True, capture_output=True, timeout=240)


def runs(messages: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {m["activity_id"]: m for m in tasks(messages, subtype="mlflow_run")}


def check_runs(found: dict[str, dict[str, Any]]) -> None:
    train, broken, bare = found["train"], found["broken"], found["bare"]
    assert train["used"] == {"lr": "0.01", "epochs": "3"}  # MLflow keeps params as text
    assert train["generated"]["loss"] == 0.0
    assert train["generated"]["accuracy"] == 0.97
    artifact = train["generated"]["artifact:model/model.txt"]
    assert artifact.endswith("/artifacts/model/model.txt")
    assert Path(artifact.removeprefix("file://")).read_text() == "weights"
    assert train["status"] == "FINISHED" and train["tags"] == ["team=vision"]
    assert train["custom_metadata"]["mlflow_tags"]["mlflow.runName"] == "train"
    assert train["started_at"] <= train["ended_at"]
    assert broken["status"] == "ERROR" and broken["stderr"] == "MLflow run FAILED"
    assert broken["used"] == {"lr": "1.0"}
    assert bare["status"] == "FINISHED" and bare["used"] == {}
    assert "generated" not in bare


def test_default_store_runs_logged_by_a_script(watch: Settings, experiment: str,
                                               tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # MLflow's default store: sqlite:///mlflow.db here
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    with Flowcept("mlflow", workflow_name="mlflow-default", start_persistence=False) as run:
        log_runs(tmp_path, experiment)
        wait_for(lambda: len(runs(read_all())) == 3, 60, "the three runs while watching")
    messages = read_all()
    found = runs(messages)
    check_runs(found)
    [workflow] = [m for m in messages if m.get("subtype") == "mlflow_experiment"]
    assert workflow["name"] == experiment
    assert workflow["parent_workflow_id"] == run.current_workflow_id
    assert {m["workflow_id"] for m in found.values()} == {workflow["workflow_id"]}
    assert (tmp_path / "mlflow.db").is_file()


def test_run_ended_while_stopping_is_captured(watch: Settings, experiment: str,
                                              sqlite_uri: str) -> None:
    watch.adapters.mlflow.watch_interval_s = 3600  # only start() and stop() look
    recorder.configure(watch)
    client = mlflow.MlflowClient(tracking_uri=sqlite_uri)
    experiment_id = client.create_experiment(experiment)
    first = client.create_run(experiment_id, run_name="before")
    client.set_terminated(first.info.run_id)
    late = client.create_run(experiment_id, run_name="late")
    client.log_metric(late.info.run_id, "loss", 0.0)
    flowcept = Flowcept("mlflow", mlflow_tracking_uri=sqlite_uri, start_persistence=False)
    flowcept.start()
    assert set(runs(read_all())) == {"before"}  # "late" is still running
    client.set_terminated(late.info.run_id)
    flowcept.stop()
    found = runs(read_all())
    assert set(found) == {"before", "late"}
    assert found["late"]["generated"] == {"loss": 0.0}
    assert found["late"]["task_id"] == late.info.run_id


def test_seen_twice_changes_nothing(watch: Settings, experiment: str,
                                    sqlite_uri: str) -> None:
    watch.adapters.mlflow.tracking_uri = sqlite_uri
    recorder.configure(watch)
    client = mlflow.MlflowClient(tracking_uri=sqlite_uri)
    experiment_id = client.create_experiment(experiment)
    for name in ("a", "b"):
        created = client.create_run(experiment_id, run_name=name)
        client.log_param(created.info.run_id, "seed", name)
        client.set_terminated(created.info.run_id)
    with Flowcept("mlflow", workflow_name="first look"):
        pass
    with Flowcept("mlflow", workflow_name="second look"):
        pass
    stored = [t for t in Flowcept.db.task_query({"subtype": "mlflow_run"})
              if t["workflow_id"] == runs(read_all())["a"]["workflow_id"]]
    assert sorted(t["activity_id"] for t in stored) == ["a", "b"]  # once each
    assert {t["used"]["seed"] for t in stored} == {"a", "b"}


def test_runs_in_the_flowcept_workflow(watch: Settings, experiment: str,
                                       sqlite_uri: str) -> None:
    watch.adapters.mlflow.workflow = "flowcept"
    recorder.configure(watch)
    client = mlflow.MlflowClient(tracking_uri=sqlite_uri)
    created = client.create_run(client.create_experiment(experiment), run_name="solo")
    client.set_terminated(created.info.run_id, status="KILLED")
    with Flowcept("mlflow", mlflow_tracking_uri=sqlite_uri, start_persistence=False) as run:
        pass
    [solo] = runs(read_all()).values()
    assert solo["workflow_id"] == run.current_workflow_id
    assert solo["status"] == "ERROR" and solo["custom_metadata"]["mlflow_status"] == "KILLED"


def test_legacy_file_store(watch: Settings, experiment: str, tmp_path: Path,
                           monkeypatch: pytest.MonkeyPatch) -> None:
    store = tmp_path / "mlruns"
    env = {"MLFLOW_TRACKING_URI": store.as_uri(), "MLFLOW_ALLOW_FILE_STORE": "true"}
    log_runs(tmp_path, experiment, env)
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
    with Flowcept("mlflow", mlflow_tracking_uri=store.as_uri(), start_persistence=False):
        pass
    check_runs(runs(read_all()))


def test_unusable_store_is_a_clear_error(watch: Settings, tmp_path: Path,
                                         caplog: pytest.LogCaptureFixture,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MLFLOW_ALLOW_FILE_STORE", raising=False)
    uri = (tmp_path / "mlruns").as_uri()
    with caplog.at_level(logging.ERROR), Flowcept("mlflow", mlflow_tracking_uri=uri,
                                                  start_persistence=False):
        pass
    assert f"cannot open the MLflow tracking store {uri}" in caplog.text
    assert tasks(read_all()) == []


def test_bad_workflow_setting(watch: Settings, caplog: pytest.LogCaptureFixture) -> None:
    watch.adapters.mlflow.workflow = "per-run"
    recorder.configure(watch)
    with caplog.at_level(logging.ERROR), Flowcept("mlflow", start_persistence=False):
        pass
    assert "adapters.mlflow.workflow must be one of experiment, flowcept, got 'per-run'" \
        in caplog.text
