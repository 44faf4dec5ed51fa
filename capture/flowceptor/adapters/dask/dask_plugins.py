"""``flowcept.flowceptor.adapters.dask.dask_plugins``: the Dask worker plugin
(``client.register_plugin(FlowceptDaskWorkerAdapter())``); needs ``provgraph[dask]``."""

from capture.adapters.dask.worker import FlowceptDaskWorkerAdapter

__all__ = ["FlowceptDaskWorkerAdapter"]
