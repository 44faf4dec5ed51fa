"""``flowcept.instrumentation.flowcept_decorator``: ``@flowcept`` (a function as a workflow)."""

from capture.decorators import flowcept

__all__ = ["flowcept"]
