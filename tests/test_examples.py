"""The runnable examples in examples/ run as documented and print what they promise."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def run_example(name: str, cwd: Path) -> str:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PROVGRAPH_", "MLFLOW_"))}
    env["PROVGRAPH_DATA_DIR"] = str(cwd / "provgraph-data")
    done = subprocess.run([sys.executable, str(EXAMPLES / name)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.glob("*.py")))
def test_every_example_is_tested(name: str) -> None:
    assert f"test_{name.removesuffix('.py')}" in globals()


def test_dask_example(tmp_path: Path) -> None:
    out = run_example("dask_example.py", tmp_path)
    assert "total: 132" in out
    assert "total: used {'values': [22, 44, 66]}, generated {'arg_0': 132}, on tcp://" in out
    assert "derived from tasks: add, multiply" in out


def test_mlflow_example(tmp_path: Path) -> None:
    out = run_example("mlflow_example.py", tmp_path)
    assert "lr-0.1: used {'lr': '0.1', 'epochs': '3'}, loss 0.729, " \
           "['artifact:model/model.txt']" in out
    assert "lr-0.5: used {'lr': '0.5', 'epochs': '3'}, loss 0.125" in out
    assert (tmp_path / "mlflow.db").is_file()  # MLflow's default store, in the directory


def test_tensorboard_example(tmp_path: Path) -> None:
    out = run_example("tensorboard_example.py", tmp_path)
    assert "lr-0.1: used {'lr': 0.1, 'steps': 5.0}, train/loss 0.59049 over 5 points" in out
    assert "lr-0.3:" in out and "from events.out.tfevents." in out
