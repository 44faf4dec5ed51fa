"""Where the keeper reads captured messages from: the hub seen from the consuming side.

A source hands out :class:`Delivery` objects (one Redis stream entry = one captured
batch; one line of the file hub), takes them back with ``ack`` once they are stored, and
keeps what cannot be decoded or mapped in a dead-letter place with the reason. Sources
are registered by ``kind``, like hubs and stores.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import orjson

from provgraph.core import registry
from provgraph.core.errors import HubError
from provgraph.core.registry import Registry

if TYPE_CHECKING:
    from provgraph.core.config import Settings

@dataclass(slots=True)
class Delivery:
    """One unit read from the hub; ``messages`` is ``None`` when it could not be decoded."""

    ref: Any  # what ``ack`` needs: a stream entry id, a file offset
    payload: bytes  # the raw bytes, kept for the dead-letter place
    messages: list[dict[str, Any]] | None = None
    error: str | None = None
    origin: str = ""  # e.g. "stream:1700000000000-0" or "file:offset 1234"
    attempts: int = 1  # how often it was delivered (Redis: times claimed)
    extra: dict[str, Any] = field(default_factory=dict)


def decode_array_or_object(payload: bytes) -> tuple[list[dict[str, Any]] | None, str | None]:
    """Decode a payload holding one message or a JSON array of messages."""
    try:
        decoded = orjson.loads(payload)
    except orjson.JSONDecodeError as exc:
        return None, f"not JSON: {exc}"
    if isinstance(decoded, dict):
        return [decoded], None
    if isinstance(decoded, list):
        return decoded, None
    return None, f"expected a JSON object or array, got {type(decoded).__name__}"


class Source(ABC):
    kind: ClassVar[str] = ""
    backlog_unit: ClassVar[str] = "entries"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        SOURCES.register(cls.kind, cls)

    @classmethod
    @abstractmethod
    def from_settings(cls, settings: Settings) -> Source: ...

    @abstractmethod
    def read(self, max_entries: int, block_ms: int) -> list[Delivery]:
        """Up to ``max_entries`` deliveries, waiting at most ``block_ms`` for the first."""

    @abstractmethod
    def ack(self, deliveries: list[Delivery]) -> None:
        """They are stored: never hand them out again."""

    @abstractmethod
    def dead_letter(self, payload: bytes, reason: str, origin: str) -> None:
        """Keep a message that cannot be stored, with why and where it came from."""

    @abstractmethod
    def dead_letters(self) -> list[dict[str, Any]]:
        """What is in the dead-letter place (``payload``, ``reason``, ``origin``, ``time``)."""

    def backlog(self) -> int | None:
        """What waits to be stored (unread, or read and not acknowledged), in
        ``backlog_unit``; ``None`` when the source cannot tell. Raises
        :class:`~provgraph.core.errors.HubUnavailableError` when the hub does not answer."""
        return None

    def waiting_for(self) -> str | None:
        """Why a backlog is not being read right now, in words (``keeper run --until-idle``
        shows it), e.g. entries pending with a keeper that stopped."""
        return None

    def interrupt(self) -> None:  # noqa: B027 - optional hook
        """Make a blocked ``read`` return soon (the keeper is stopping)."""

    @abstractmethod
    def confirm(self, marker: str) -> None:
        """Record that a flush marker was stored (``check_safe_stops``)."""

    @abstractmethod
    def confirmed(self, marker: str) -> bool:
        """Whether a keeper has stored everything sent before ``marker``."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections and files."""


SOURCES: Registry[type[Source]] = Registry("keeper source", registry.SOURCES, HubError)


def open_source(settings: Settings) -> Source:
    """The source that reads the hub the settings name (``redis`` or ``file``)."""
    return SOURCES.get(settings.hub.kind).from_settings(settings)
