"""Hubs: where captured batches go (file, memory, redis), chosen by ``hub.kind``."""

from capture.hubs.base import Hub, Message, create_hub, hub_class, hub_kinds

__all__ = ["Hub", "Message", "create_hub", "hub_class", "hub_kinds"]
