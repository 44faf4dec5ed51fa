"""The one exception tree of provgraph: every error we raise on purpose is a ``ProvgraphError``."""

from __future__ import annotations


class ProvgraphError(Exception):
    """Root of every error provgraph raises on purpose."""


class SettingsError(ProvgraphError):
    """A settings file or environment variable is malformed (names the file and key)."""


class ArgumentError(ProvgraphError, TypeError):
    """A public API was called with an argument of the wrong type or value (names it)."""


class ExtensionError(ProvgraphError):
    """An extension (hub, source, store, exporter, adapter, command) is unknown or broken."""


class CapabilityMissingError(ExtensionError):
    """A capability this installation does not provide was asked for (names what to install)."""


class HubError(ProvgraphError):
    """A hub could not accept or return messages."""


class HubUnavailableError(HubError):
    """The hub's server cannot be reached right now (retry or spool)."""


class StoreError(ProvgraphError):
    """A store could not read or write the provenance graph."""


class StoreUnavailableError(StoreError):
    """The store's server cannot be reached right now (retry with backoff)."""


class MappingError(ProvgraphError):
    """A message cannot be mapped to PROV nodes and edges (goes to the dead-letter stream)."""


class ServiceError(ProvgraphError):
    """A local service (Redis, Neo4j) could not be installed, started or stopped."""


class QueryError(ProvgraphError):
    """A user query was rejected (e.g. it tried to write in a read-only session)."""


class ReportError(ProvgraphError, ValueError):
    """A report cannot be made: a bad input mode, type or format, or input without what a
    report needs (says what was looked for and where)."""


class ReportInputNotFound(ProvgraphError, FileNotFoundError):
    """The JSONL file a report was asked to read does not exist."""


class ReportDependencyMissing(ProvgraphError, ModuleNotFoundError):
    """A report needs an optional package (matplotlib, rich): names the extra to install."""


class NotFoundError(ProvgraphError, LookupError):
    """What a query names (a node, a workflow, a value) is not in the store."""


class CapExceededError(ProvgraphError):
    """An answer would be larger than its cap (says the cap and how to narrow the question)."""


class DocumentError(ProvgraphError):
    """A PROV document that cannot be read (not valid PROV, or not the format given) or
    written (an unknown format); the message names the file, the format and the first
    problem."""


class OutputError(ProvgraphError):
    """A file or stream that output was asked to go to cannot be written (a missing
    directory, a full disk, a directory given as the file): names the target and the
    reason. ``stream`` is set when the target was an open stream (stdout)."""

    def __init__(self, message: str, *, stream: bool = False) -> None:
        super().__init__(message)
        self.stream = stream
