"""The adapter interface and its registry (entry-point group ``provgraph.adapters``).

An adapter is a small class registered by its ``kind`` (the interceptor name of the
Flowcept docs). ``Flowcept.start()`` builds one per interceptor with the workflow it
records into and the keyword arguments the user gave ``Flowcept`` (``dask_client=...``),
then calls :meth:`Adapter.start`; ``Flowcept.stop()`` calls :meth:`Adapter.stop`, which
returns once what the adapter has seen is recorded. An adapter never raises into user
code: its own failures are logged.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar

from provgraph.core import registry
from provgraph.core.registry import Registry


class Adapter(ABC):
    kind: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        ADAPTERS.register(cls.kind, cls)

    def __init__(self, *, workflow_id: str, campaign_id: str | None,
                 options: dict[str, Any]) -> None:
        self.workflow_id = workflow_id
        self.campaign_id = campaign_id
        self.options = options  # every keyword argument given to Flowcept(...)

    @abstractmethod
    def start(self) -> None:
        """Begin observing."""

    @abstractmethod
    def stop(self) -> None:
        """Stop observing, once everything seen so far is recorded."""


ADAPTERS: Registry[type[Adapter]] = Registry("adapter", registry.ADAPTERS)
