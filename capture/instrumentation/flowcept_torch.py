"""``flowcept.instrumentation.flowcept_torch``: ``@flowcept_torch`` and the epoch and
batch loops of a training script (torch itself is not imported here)."""

from capture.torch import FlowceptBatchLoop, FlowceptEpochLoop, flowcept_torch

__all__ = ["FlowceptBatchLoop", "FlowceptEpochLoop", "flowcept_torch"]
