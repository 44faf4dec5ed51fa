"""``flowcept.instrumentation.flowcept_loop``: loop instrumentation."""

from capture.loops import FlowceptLightweightLoop, FlowceptLoop

__all__ = ["FlowceptLightweightLoop", "FlowceptLoop"]
