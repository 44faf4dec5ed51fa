"""The ``dask`` interceptor: ``Flowcept("dask", dask_client=client)``.

``start()`` registers :class:`FlowceptDaskWorkerAdapter` on the cluster with the workflow,
the campaign and the producer settings (the scheduler keeps it, so workers that join
later get it too); a plugin the user registered under the same name is replaced for the
run and put back afterwards. ``stop()`` has every worker flush what it recorded to the
hub (so the flush marker of ``check_safe_stops`` comes after it), reports what could not
be read, and removes the run's plugin.

Only the hub, buffer and instrumentation sections travel to the workers (with the Redis
URL, credentials included, since each worker is a producer); the store's settings stay
in this process.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from distributed import Client

from capture import recorder
from capture.adapters.base import Adapter
from capture.adapters.config import DaskAdapterSettings
from capture.adapters.dask.worker import (
    ADAPTER_ID,
    PLUGIN_NAME,
    FlowceptDaskWorkerAdapter,
    WorkerContext,
)
from provgraph.core import wire
from provgraph.core.config import Settings, get_settings
from provgraph.core.errors import ArgumentError, ExtensionError

log = logging.getLogger(__name__)

_PRODUCER_SECTIONS = ("hub", "buffer", "instrumentation")


def producer_settings(settings: Settings) -> dict[str, Any]:
    """What a worker needs to produce like this process: the hub, the buffer and the
    instrumentation sections, with paths made absolute."""
    full = settings.to_dict()
    values: dict[str, Any] = {
        "data_dir": str(settings.data_path.resolve()),
        "environment_id": settings.environment_id,
    }
    for name in _PRODUCER_SECTIONS:
        values[name] = full[name]
    values["adapters"] = {"dask": full["adapters"]["dask"]}
    hub = values["hub"]
    if hub.get("file", {}).get("path"):
        hub["file"]["path"] = str(Path(hub["file"]["path"]).expanduser().resolve())
    if hub.get("redis", {}).get("spool_dir"):
        hub["redis"]["spool_dir"] = str(Path(hub["redis"]["spool_dir"]).expanduser().resolve())
    return values


def _has_plugin(name: str, dask_scheduler: Any = None) -> bool:
    return name in getattr(dask_scheduler, "worker_plugins", {})


def _drain(timeout: float, dask_worker: Any = None) -> dict[str, Any]:
    plugin = dask_worker.plugins.get(PLUGIN_NAME)
    if not isinstance(plugin, FlowceptDaskWorkerAdapter):
        return {"address": dask_worker.address, "missing": True}
    return plugin.drain(timeout)


class DaskAdapter(Adapter):
    kind = "dask"

    def __init__(self, *, workflow_id: str, campaign_id: str | None,
                 options: dict[str, Any]) -> None:
        super().__init__(workflow_id=workflow_id, campaign_id=campaign_id, options=options)
        client = options.get("dask_client")
        if client is None:
            raise ArgumentError("the dask interceptor needs the Dask client: "
                                "Flowcept(interceptors=['dask'], dask_client=client)")
        if not isinstance(client, Client):
            raise ArgumentError(
                f"dask_client must be a distributed.Client, got {type(client).__name__}")
        if client.asynchronous:
            raise ArgumentError("dask_client must be a synchronous Client (the interceptor "
                                "registers its plugin and drains the workers blocking)")
        self.client = client
        self._restore_user_plugin = False
        self.reports: dict[str, dict[str, Any]] = {}

    def start(self) -> None:
        context = WorkerContext(self.workflow_id, self.campaign_id,
                                producer_settings(get_settings()), os.getpid())
        try:
            self._restore_user_plugin = bool(
                self.client.run_on_scheduler(_has_plugin, PLUGIN_NAME))
            self.client.register_plugin(FlowceptDaskWorkerAdapter(context), name=PLUGIN_NAME)
        except Exception as exc:
            raise ExtensionError(f"cannot register the worker plugin: {exc}") from exc
        self._record_cluster()

    def _record_cluster(self) -> None:
        """Where the workflow ran: the scheduler and the workers (merged into the workflow)."""
        try:
            info = self.client.scheduler_info()
            details = {"dask_scheduler": info.get("address"),
                       "dask_workers": sorted(info.get("workers", {}))}
        except Exception as exc:
            log.debug("no scheduler info: %s", exc)
            return
        recorder.record({wire.TYPE: wire.WORKFLOW, "workflow_id": self.workflow_id,
                         "adapter_id": ADAPTER_ID, "custom_metadata": details})

    def stop(self) -> None:
        timeout = get_settings().section(DaskAdapterSettings).drain_timeout_s
        try:
            self.reports = self.client.run(_drain, timeout, on_error="return")
        except Exception as exc:
            log.warning("dask interceptor: the workers could not be drained (%s); what they "
                        "recorded reaches the hub when they flush or exit", exc)
            self.reports = {}
        self._report()
        try:
            if self._restore_user_plugin:
                self.client.register_plugin(FlowceptDaskWorkerAdapter(), name=PLUGIN_NAME)
            else:
                self.client.unregister_worker_plugin(PLUGIN_NAME)
        except Exception as exc:
            log.warning("dask interceptor: the worker plugin could not be removed: %s", exc)

    def _report(self) -> None:
        for address, report in sorted(self.reports.items()):
            if isinstance(report, BaseException):
                log.warning("dask interceptor: worker %s was not drained: %s", address, report)
                continue
            if report.get("missing"):
                log.warning("dask interceptor: worker %s has no provgraph plugin (it joined "
                            "while the plugin was being replaced?)", address)
                continue
            if report.get("unreadable") or report.get("failures"):
                log.warning("dask interceptor: worker %s recorded %s task(s); %s without their "
                            "arguments (run spec not readable), %s with part of their fields "
                            "(see the worker's log)", address, report["recorded"],
                            report["unreadable"], report["failures"])
            if report.get("running"):
                log.warning("dask interceptor: %s task(s) were still running on worker %s at "
                            "stop(); they stay RUNNING in the provenance", report["running"],
                            address)
            if not report.get("flushed", True):
                log.warning("dask interceptor: worker %s did not flush within %ss; its last "
                            "messages reach the hub later", address,
                            get_settings().section(DaskAdapterSettings).drain_timeout_s)
