"""``flowcept.flowcept_api.flowcept_controller``: the ``Flowcept`` controller."""

from capture.controller import Flowcept

__all__ = ["Flowcept"]
