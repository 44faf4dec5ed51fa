"""The observability adapters' settings sections (``adapters.dask``, ``adapters.mlflow``,
``adapters.tensorboard``).

Imports only the settings loader, so loading settings never imports dask, mlflow or
tensorboard. Keyword arguments given to ``Flowcept(...)`` win over these
(``mlflow_tracking_uri=``, ``tensorboard_log_dir=``).
"""

from __future__ import annotations

from dataclasses import dataclass

from provgraph.core.config import section


@section("adapters.dask")
@dataclass
class DaskAdapterSettings:
    # A RUNNING message when a task starts executing, then its FINISHED/ERROR message.
    running_messages: bool = True
    # An argument or result larger than this (Dask's own size estimate) is recorded as a
    # short description instead of its value (0: no limit).
    max_value_bytes: int = 1_000_000
    # Flowcept.stop() waits at most this long for the workers to flush what they recorded.
    drain_timeout_s: float = 60.0


@section("adapters.mlflow")
@dataclass
class MlflowAdapterSettings:
    # Empty: MLflow's own choice (MLFLOW_TRACKING_URI, else its default store in the
    # current directory: sqlite:///mlflow.db, or ./mlruns when that holds runs).
    tracking_uri: str = ""
    # Comma-separated experiment names to observe; empty: every active experiment.
    experiments: str = ""
    # "experiment": one workflow per MLflow experiment (a child of the Flowcept workflow);
    # "flowcept": every run is a task of the Flowcept workflow itself.
    workflow: str = "experiment"
    watch_interval_s: float = 2.0
    # A run that ends with an end time this much older than the newest one seen (clock
    # skew between the machines logging runs) is still found.
    late_s: float = 300.0
    max_artifacts: int = 1000  # per run


@section("adapters.tensorboard")
@dataclass
class TensorboardAdapterSettings:
    log_dir: str = ""  # the directory to watch (every sub-directory with event files is a run)
    watch_interval_s: float = 2.0
