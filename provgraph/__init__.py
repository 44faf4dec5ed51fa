"""provgraph: the shared core under capture, keeper and exports.

    >>> import provgraph
    >>> provgraph.get_settings().store.kind
    'embedded'

``provgraph.errors`` (the ``ProvgraphError`` tree), ``provgraph.config`` (settings: each
component declares its own section), ``provgraph.registry`` (extension points by name),
``provgraph.wire`` (the messages between producers and keepers) and
``provgraph.providers`` (capabilities capture finds at run time). The ``provgraph``
command lives in ``provgraph.cli``, the local Redis and Neo4j in ``provgraph.services``.
"""

from provgraph.config import Settings, get_settings, load_settings, section, set_settings
from provgraph.errors import (
    ArgumentError,
    CapabilityMissingError,
    ExtensionError,
    HubError,
    HubUnavailableError,
    MappingError,
    ProvgraphError,
    QueryError,
    ServiceError,
    SettingsError,
    StoreError,
    StoreUnavailableError,
)
from provgraph.registry import Registry
from provgraph.version import __version__

__all__ = [
    "ArgumentError",
    "CapabilityMissingError",
    "ExtensionError",
    "HubError",
    "HubUnavailableError",
    "MappingError",
    "ProvgraphError",
    "QueryError",
    "Registry",
    "ServiceError",
    "Settings",
    "SettingsError",
    "StoreError",
    "StoreUnavailableError",
    "__version__",
    "get_settings",
    "load_settings",
    "section",
    "set_settings",
]
