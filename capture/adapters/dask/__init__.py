"""The Dask adapter (``pip install 'provgraph[dask]'``): every Dask task a task message.

* :class:`FlowceptDaskWorkerAdapter` — the worker plugin (``client.register_plugin(...)``);
* :class:`DaskAdapter` — the ``dask`` interceptor: ``Flowcept("dask", dask_client=client)``
  hands the workflow, the campaign and the hub settings to every worker, and
  ``Flowcept.stop()`` drains the workers before it returns.
"""

from capture.adapters.dask.client import DaskAdapter
from capture.adapters.dask.worker import FlowceptDaskWorkerAdapter, WorkerContext

__all__ = ["DaskAdapter", "FlowceptDaskWorkerAdapter", "WorkerContext"]
