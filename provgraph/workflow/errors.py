"""The errors of cached step workflows, and the optional packages they need.

Everything here is a :class:`~provgraph.core.errors.ProvgraphError`, so the CLI prints one line
and exits with status 2 for bad input. A step that raises is reported as a
:class:`WorkflowStepError` with the step's own exception as ``__cause__``.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from provgraph.core.errors import CapabilityMissingError, ProvgraphError

EXTRA = "provgraph[workflow]"


class WorkflowError(ProvgraphError):
    """Root of the cached-step workflow errors."""


class WorkflowConfigError(WorkflowError):
    """A workflow config is wrong: names the step and the key (raised before anything runs)."""

    def __init__(self, message: str, *, step: str | None = None, key: str | None = None) -> None:
        where = []
        if step is not None:
            where.append(f"step {step!r}")
        if key is not None:
            where.append(f"key {key!r}")
        super().__init__(": ".join([*where, message]) if where else message)
        self.step = step
        self.key = key


class WorkflowStepError(WorkflowError):
    """A step raised while it ran; ``__cause__`` is the step's exception."""

    def __init__(self, step: str, cause: BaseException) -> None:
        detail = str(cause)
        super().__init__(f"step {step!r} failed: {type(cause).__name__}"
                         + (f": {detail}" if detail else ""))
        self.step = step


def optional(module: str, needed_for: str) -> ModuleType:
    """Import ``module`` (an optional dependency) or say which extra installs it."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        raise CapabilityMissingError(
            f"{needed_for} needs {module!r}, which is not installed: pip install '{EXTRA}'"
        ) from exc
