"""provgraph: provenance of workflow runs, kept as a W3C PROV graph and asked about later.

The front door. What users came for is here, loaded on first use (``import provgraph``
itself imports nothing heavy):

    from provgraph import Flowcept, flowcept_task

    @flowcept_task
    def add(a: int, b: int) -> int:
        return a + b

    with Flowcept(workflow_name="demo"):
        add(1, 2)

* capture (the Flowcept API): ``Flowcept``, ``flowcept_task``, ``FlowceptTask``,
  ``FlowceptLoop`` and the other decorators (``from capture import ...`` gives the same);
* cached step workflows (the Formed API): ``from provgraph import workflow``;
* PROV documents: ``export``, ``import_document``, ``ExportScope``;
* lineage over a store: ``open_store``, ``upstream``, ``downstream``, ``path``,
  ``workflow_dag``, ``impact_of_failures``, ``tasks_using`` (``Flowcept.db`` asks the same
  of the configured store).

Underneath: ``provgraph.core`` (the ground floor every layer stands on), ``provgraph.cli``
(the ``provgraph`` command) and ``provgraph.services`` (local Redis and Neo4j).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from provgraph.core.lazy import lazy_names
from provgraph.core.version import __version__

if TYPE_CHECKING:
    from capture import (
        Flowcept,
        FlowceptLightweightLoop,
        FlowceptLoop,
        FlowceptTask,
        agent_flowcept_task,
        flowcept_task,
        lightweight_flowcept_task,
        telemetry_flowcept_task,
    )
    from exports import ExportScope, export, import_document
    from keeper.lineage.api import (
        downstream,
        impact_of_failures,
        path,
        tasks_using,
        upstream,
        workflow_dag,
    )
    from keeper.stores.base import open_store
    from provgraph import workflow
    from provgraph.core.errors import ProvgraphError

# name -> the module that defines it (PEP 562: resolved on first access).
_FACADE = {
    "Flowcept": "capture",
    "FlowceptLightweightLoop": "capture",
    "FlowceptLoop": "capture",
    "FlowceptTask": "capture",
    "agent_flowcept_task": "capture",
    "flowcept_task": "capture",
    "lightweight_flowcept_task": "capture",
    "telemetry_flowcept_task": "capture",
    "ExportScope": "exports",
    "export": "exports",
    "import_document": "exports",
    "downstream": "keeper.lineage.api",
    "impact_of_failures": "keeper.lineage.api",
    "path": "keeper.lineage.api",
    "tasks_using": "keeper.lineage.api",
    "upstream": "keeper.lineage.api",
    "workflow_dag": "keeper.lineage.api",
    "open_store": "keeper.stores.base",
    "ProvgraphError": "provgraph.core.errors",
    "workflow": "provgraph.workflow",
}


__getattr__, __dir__ = lazy_names(__name__, globals(), _FACADE)

__all__ = [
    "ExportScope",
    "Flowcept",
    "FlowceptLightweightLoop",
    "FlowceptLoop",
    "FlowceptTask",
    "ProvgraphError",
    "__version__",
    "agent_flowcept_task",
    "downstream",
    "export",
    "flowcept_task",
    "impact_of_failures",
    "import_document",
    "lightweight_flowcept_task",
    "open_store",
    "path",
    "tasks_using",
    "telemetry_flowcept_task",
    "upstream",
    "workflow",
    "workflow_dag",
]
