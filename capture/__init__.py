"""provgraph capture: the Flowcept capture API.

    from capture import Flowcept, flowcept_task

    @flowcept_task(output_names="y")
    def mult_two(x: int) -> int:
        return 2 * x

    with Flowcept(workflow_name="demo"):
        mult_two(21)   # recorded: used={"x": 21}, generated={"y": 42}
"""

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
from provgraph.errors import ArgumentError, ProvgraphError, SettingsError
from provgraph.version import __version__
from provgraph.wire import Status

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
