"""The ``mlflow`` interceptor: every finished MLflow run becomes a task, without code changes.

    with Flowcept("mlflow", mlflow_tracking_uri="sqlite:///mlflow.db"):
        train()          # logs runs with mlflow.start_run(), log_param, log_metric, ...

It observes the tracking store the user already has through ``MlflowClient`` (the SQLite
store, MLflow's default since 3.7; the legacy ``./mlruns`` file store when MLflow allows
it, ``MLFLOW_ALLOW_FILE_STORE=true``), polling ``search_runs`` for runs that ended since
the last look. A run that ended (FINISHED, FAILED or KILLED) is one task:

* ``task_id`` the run id, ``activity_id`` the run name, ``user`` the run's user;
* ``used`` the params (strings, as MLflow keeps them), ``generated`` the metrics (their
  last value; 0.0 is a value) and every logged artifact, ``artifact:<path>`` -> its URI;
* ``status`` FINISHED, or ERROR for FAILED and KILLED; start and end times;
* ``tags`` the user's tags as ``key=value``; ``custom_metadata`` the run name, the
  experiment, the MLflow status, the artifact URI and every tag.

The runs of one experiment belong to one workflow (a child of the Flowcept workflow,
named after the experiment; ``adapters.mlflow.workflow: flowcept`` puts them in the
Flowcept workflow itself). Ids are the store's own, so a run seen twice, by this
process or another, changes nothing in the graph (the keeper's merge).
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from mlflow.entities import Run, ViewType
from mlflow.tracking import MlflowClient

from capture import recorder
from capture.adapters.config import MlflowAdapterSettings
from capture.adapters.watcher import Watcher
from provgraph.core import wire
from provgraph.core.config import get_settings
from provgraph.core.errors import ArgumentError, ExtensionError, SettingsError
from provgraph.core.redact import redact_url

log = logging.getLogger(__name__)

ADAPTER_ID = "mlflow"
WORKFLOW_MODES = ("experiment", "flowcept")
_STATUS = {"FINISHED": wire.FINISHED, "FAILED": wire.ERROR, "KILLED": wire.ERROR}
_PAGE = 1000


class MlflowAdapter(Watcher):
    kind = "mlflow"

    def __init__(self, *, workflow_id: str, campaign_id: str | None,
                 options: dict[str, Any]) -> None:
        super().__init__(workflow_id=workflow_id, campaign_id=campaign_id, options=options)
        cfg = get_settings().section(MlflowAdapterSettings)
        uri = options.get("mlflow_tracking_uri", cfg.tracking_uri)
        if uri is not None and not isinstance(uri, str):
            raise ArgumentError(f"mlflow_tracking_uri must be a str, got {type(uri).__name__}")
        if cfg.workflow not in WORKFLOW_MODES:
            raise SettingsError(f"adapters.mlflow.workflow must be one of "
                                f"{', '.join(WORKFLOW_MODES)}, got {cfg.workflow!r}")
        self.tracking_uri = uri or None  # None: MLflow resolves it as the user's code does
        self.settings = cfg
        self.interval_s = cfg.watch_interval_s
        self.names = [name.strip() for name in cfg.experiments.split(",") if name.strip()]
        self._client: MlflowClient | None = None
        self._uri = ""
        self._seen: dict[str, int] = {}  # run id -> end time (ms) already recorded
        self._newest: int | None = None  # the latest end time seen (ms)
        self._workflows: dict[str, str] = {}  # experiment id -> its workflow id
        self.runs = 0

    def start(self) -> None:
        try:
            client = MlflowClient(tracking_uri=self.tracking_uri)
            client.search_experiments(max_results=1)  # opens the store, or says why not
        except Exception as exc:
            raise ExtensionError(f"cannot open the MLflow tracking store "
                                 f"{self.tracking_uri or '(MLflow default)'}: {exc}") from exc
        self._client = client
        self._uri = str(client.tracking_uri)
        super().start()

    # --- polling ---------------------------------------------------------------------------

    def poll(self) -> None:
        client = self._client
        if client is None:
            return
        experiments = {e.experiment_id: e for e in self._experiments(client)}
        if not experiments:
            return
        late_ms = int(self.settings.late_s * 1000)
        since = None if self._newest is None else self._newest - late_ms
        query = "" if since is None else f"attributes.end_time >= {since}"
        token: str | None = None
        while True:
            page = client.search_runs(list(experiments), filter_string=query,
                                      run_view_type=ViewType.ACTIVE_ONLY, max_results=_PAGE,
                                      order_by=["attributes.end_time ASC"], page_token=token)
            for run in page:
                self._observe(client, run, experiments)
            token = page.token
            if not token:
                break
        if since is not None:  # forget what the query can no longer return
            self._seen = {k: v for k, v in self._seen.items() if v >= since}

    def _experiments(self, client: MlflowClient) -> list[Any]:
        if not self.names:
            return list(client.search_experiments(view_type=ViewType.ACTIVE_ONLY))
        found = []
        for name in self.names:
            experiment = client.get_experiment_by_name(name)
            if experiment is not None:
                found.append(experiment)
        return found

    def _observe(self, client: MlflowClient, run: Run, experiments: dict[str, Any]) -> None:
        info = run.info
        status = _STATUS.get(info.status)
        if status is None or info.end_time is None:  # still running
            return
        if self._seen.get(info.run_id) == info.end_time:
            return
        experiment = experiments.get(info.experiment_id)
        workflow_id = self._workflow_of(experiment) if experiment is not None \
            else self.workflow_id
        recorder.record(self._task(client, run, status, workflow_id, experiment))
        self._seen[info.run_id] = info.end_time
        self._newest = max(self._newest or 0, info.end_time)
        self.runs += 1

    # --- messages --------------------------------------------------------------------------

    def _workflow_of(self, experiment: Any) -> str:
        if self.settings.workflow == "flowcept":
            return self.workflow_id
        found = self._workflows.get(experiment.experiment_id)
        if found is not None:
            return found
        workflow_id = str(uuid.uuid5(uuid.NAMESPACE_URL,
                                     f"mlflow:{self._uri}#{experiment.experiment_id}"))
        message: dict[str, Any] = {
            wire.TYPE: wire.WORKFLOW,
            "workflow_id": workflow_id,
            "name": experiment.name,
            "subtype": "mlflow_experiment",
            "parent_workflow_id": self.workflow_id,
            "adapter_id": ADAPTER_ID,
            "custom_metadata": {
                "experiment_id": experiment.experiment_id,
                "artifact_location": experiment.artifact_location,
                "tracking_uri": redact_url(self._uri),
            },
        }
        if self.campaign_id:
            message["campaign_id"] = self.campaign_id
        if experiment.creation_time:
            message["started_at"] = experiment.creation_time / 1000
        recorder.record(message)
        self._workflows[experiment.experiment_id] = workflow_id
        return workflow_id

    def _task(self, client: MlflowClient, run: Run, status: str, workflow_id: str,
              experiment: Any) -> dict[str, Any]:
        info, data = run.info, run.data
        generated: dict[str, Any] = dict(data.metrics)  # the last value of each metric
        generated.update(self._artifacts(client, info.run_id, info.artifact_uri))
        user_tags = {k: v for k, v in data.tags.items() if not k.startswith("mlflow.")}
        message: dict[str, Any] = {
            wire.TYPE: wire.TASK,
            "task_id": info.run_id,
            "workflow_id": workflow_id,
            "activity_id": info.run_name or "mlflow_run",
            "subtype": "mlflow_run",
            "adapter_id": ADAPTER_ID,
            "used": dict(data.params),
            "generated": generated or None,
            "status": status,
            "started_at": info.start_time / 1000 if info.start_time else None,
            "ended_at": info.end_time / 1000,
            "user": info.user_id or None,
            "tags": [f"{k}={v}" for k, v in sorted(user_tags.items())] or None,
            "custom_metadata": {
                "run_name": info.run_name,
                "experiment_id": info.experiment_id,
                "experiment_name": getattr(experiment, "name", None),
                "mlflow_status": info.status,
                "artifact_uri": info.artifact_uri,
                "mlflow_tags": dict(data.tags),
            },
        }
        if status == wire.ERROR:
            message["stderr"] = f"MLflow run {info.status}"
        if self.campaign_id:
            message["campaign_id"] = self.campaign_id
        return {k: v for k, v in message.items() if v is not None}

    def _artifacts(self, client: MlflowClient, run_id: str, root: str | None) -> dict[str, str]:
        """``artifact:<path>`` -> URI for every file the run logged (depth first)."""
        found: dict[str, str] = {}
        limit = self.settings.max_artifacts
        pending: list[str | None] = [None]
        try:
            while pending:
                for item in client.list_artifacts(run_id, pending.pop()):
                    if item.is_dir:
                        pending.append(item.path)
                    elif len(found) < limit:
                        found[f"artifact:{item.path}"] = f"{(root or '').rstrip('/')}/{item.path}"
                    else:
                        self.warn_once(f"the mlflow interceptor keeps at most {limit} artifacts "
                                       f"per run (adapters.mlflow.max_artifacts)")
                        return found
        except Exception as exc:  # the run is recorded without (the rest of) its artifacts
            self.warn_once(f"the mlflow interceptor cannot list artifacts of run {run_id}: "
                           f"{exc}")
        return found
