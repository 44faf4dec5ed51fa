"""provgraph capture: the Flowcept capture API.

    from capture import Flowcept, flowcept_task

    @flowcept_task(output_names="y")
    def mult_two(x: int) -> int:
        return 2 * x

    with Flowcept(workflow_name="demo"):
        mult_two(21)   # recorded: used={"x": 21}, generated={"y": 42}
"""

from typing import Any

from capture.controller import Flowcept
from capture.decorators import (
    agent_flowcept_task,
    flowcept,
    flowcept_task,
    lightweight_flowcept_task,
    telemetry_flowcept_task,
)
from capture.loops import FlowceptLightweightLoop, FlowceptLoop
from capture.messages import TaskObject, WorkflowObject
from capture.serialize import register_dict_class
from capture.task import FlowceptTask
from capture.torch import flowcept_torch
from provgraph.core.errors import (
    ArgumentError,
    CapabilityMissingError,
    ProvgraphError,
    SettingsError,
)
from provgraph.core.version import __version__
from provgraph.core.wire import Status

# Names that need an optional extra, imported on first use so `import capture` stays
# fast and works without them (and left out of __all__, so `import *` does not import
# them): name -> (module, extra).
_LAZY = {"FlowceptDaskWorkerAdapter": ("capture.adapters.dask.worker", "dask")}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'capture' has no attribute {name!r}")
    import importlib

    module_name, extra = _LAZY[name]
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        raise CapabilityMissingError(
            f"{name} needs {exc.name or 'a package'} that is not installed: "
            f"pip install 'provgraph[{extra}]'"
        ) from exc
    value = getattr(module, name)
    globals()[name] = value
    return value


__all__ = [
    "ArgumentError",
    "Flowcept",
    "FlowceptLightweightLoop",
    "FlowceptLoop",
    "FlowceptTask",
    "ProvgraphError",
    "SettingsError",
    "Status",
    "TaskObject",
    "WorkflowObject",
    "__version__",
    "agent_flowcept_task",
    "flowcept",
    "flowcept_task",
    "flowcept_torch",
    "lightweight_flowcept_task",
    "register_dict_class",
    "telemetry_flowcept_task",
]
