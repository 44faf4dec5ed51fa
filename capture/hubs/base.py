"""The hub interface: where capture sends batches of messages, and a registry by kind.

Shaped like the OpenLineage client's transports: a class attribute ``kind``, a
``from_settings`` constructor, ``emit`` for one batch, and ``close``. A hub also answers
``mark()``/``read_since(mark)`` so a ``Flowcept`` run can read back what it sent, and
``alive()`` for ``Flowcept.services_alive()``.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, ClassVar

from provgraph.core import registry
from provgraph.core.errors import HubError
from provgraph.core.registry import Registry

if TYPE_CHECKING:
    from provgraph.core.config import Settings

log = logging.getLogger(__name__)

Message = dict[str, Any]
Encoded = bytes  # one message as JSON (``capture.serialize.dumps``)

class Hub(ABC):
    """Base class of every hub. Subclasses set ``kind`` and are registered by it."""

    kind: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        HUBS.register(cls.kind, cls)

    @classmethod
    @abstractmethod
    def from_settings(cls, settings: Settings) -> Hub:
        """Build the hub from resolved settings."""

    @abstractmethod
    def emit(self, batch: list[Encoded]) -> None:
        """Deliver one batch of encoded messages. Must not lose it: retry, spool, or raise."""

    def mark(self) -> Any:
        """An opaque position; ``read_since(mark)`` returns what was emitted after it."""
        return None

    def read_since(self, mark: Any) -> list[Message]:
        """Messages emitted after ``mark`` (``None``: all), decoded. Hubs that cannot
        read back raise ``HubError``."""
        raise HubError(f"the {self.kind} hub cannot read back its messages")

    def alive(self) -> bool:
        """Whether the hub can accept messages now."""
        return True

    def reset_after_fork(self) -> None:  # noqa: B027 - optional hook
        """In a forked child: replace locks the parent's threads may have held."""

    def close(self) -> None:  # noqa: B027 - optional hook, most hubs hold nothing
        """Release connections and files. Idempotent."""


HUBS: Registry[type[Hub]] = Registry("hub", registry.HUBS, HubError)


def hub_kinds() -> list[str]:
    return HUBS.kinds()


def hub_class(kind: str) -> type[Hub]:
    return HUBS.get(kind)


def create_hub(settings: Settings) -> Hub:
    return hub_class(settings.hub.kind).from_settings(settings)
