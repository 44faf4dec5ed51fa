"""``flowcept.instrumentation.loop`` (the path the capture-methods page uses)."""

from capture.loops import FlowceptLightweightLoop, FlowceptLoop

__all__ = ["FlowceptLightweightLoop", "FlowceptLoop"]
