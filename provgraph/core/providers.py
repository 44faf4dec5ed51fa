"""Capabilities found at run time: what capture asks of the layers above it.

Data flows one way, so capture never imports the keeper or the exports. Yet a few capture
APIs answer with stored data: ``Flowcept(start_persistence=True)`` runs a keeper,
``Flowcept.db`` queries the store, ``Flowcept.generate_report`` writes a report. They ask
for a *provider* by name here; the package that implements it declares it in the
``provgraph.providers`` entry-point group, the way the OpenTelemetry API finds its SDK's
provider. A capability that is not installed raises one clear
:class:`~provgraph.core.errors.CapabilityMissingError`.

The protocols below are the whole contract between capture and a provider.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Protocol, cast

from provgraph.core import registry
from provgraph.core.errors import CapabilityMissingError, ExtensionError

PERSISTENCE = "persistence"  # the keeper: in-process consumption, the query API
REPORTS = "reports"  # provenance cards and reports
EXPORTS = "exports"  # PROV documents out

# capability -> (what provides it, what to do when it is missing)
CAPABILITIES: dict[str, tuple[str, str]] = {
    PERSISTENCE: ("the keeper", "reinstall provgraph"),
    REPORTS: ("the reports of the exports package", "reinstall provgraph"),
    EXPORTS: ("the exports package", "reinstall provgraph"),
}


class KeeperHandle(Protocol):
    """A keeper consuming this process's hub in a thread (``start_persistence=True``)."""

    def wait_confirmed(self, marker: str, timeout: float) -> bool:
        """Whether a keeper stored everything sent before the flush marker ``marker``
        (see :func:`provgraph.core.wire.flush_marker`) within ``timeout`` seconds."""
        ...

    def stop(self) -> None:
        """Finish the batch in hand and release the hub and the store."""
        ...


class StoreHandle(Protocol):
    """An open store, as capture holds it: it passes it on, it never reads it."""

    def alive(self) -> bool: ...

    def close(self) -> None: ...


class QueryAPI(Protocol):
    """The keeper's query API behind ``Flowcept.db``: what capture itself calls (users
    reach every other query of the keeper through ``Flowcept.db`` too)."""

    @property
    def store(self) -> StoreHandle: ...

    def get_workflow(self, workflow_id: str) -> Mapping[str, object] | None: ...

    def insert_or_update_task(self, task: Mapping[str, object]) -> None: ...

    def insert_or_update_workflow(self, workflow: Mapping[str, object]) -> None: ...


class Persistence(Protocol):
    """What the keeper offers capture."""

    def start_keeper(self, *, bundle_exec_id: str | None,
                     on_thread_start: Callable[[], None]) -> KeeperHandle:
        """Start consuming the configured hub into the configured store.
        ``on_thread_start`` runs first in the keeper's thread (capture switches itself off
        there, so the keeper's own work is never captured)."""
        ...

    def db(self, current_workflow_id: Callable[[], str | None]) -> QueryAPI:
        """The query API behind ``Flowcept.db``."""
        ...

    def store_alive(self) -> bool:
        """Whether the configured store answers."""
        ...


class Exports(Protocol):
    """What the exports package offers ``Flowcept.db.export``: a PROV document of a
    workflow, a campaign, the current workflow or the whole store of ``store``."""

    def export(self, store: StoreHandle, *, format: str = "json",
               workflow_id: str | None = None, campaign_id: str | None = None,
               path: str | os.PathLike[str] | None = None,
               current_workflow_id: str | None = None) -> str:
        """The document as text, or its path when ``path`` is given."""
        ...


class Reports(Protocol):
    """What the exports package offers ``Flowcept.generate_report``."""

    def generate_report(self, **options: object) -> dict[str, object]: ...


PROVIDERS: registry.Registry[object] = registry.Registry(
    "capability", registry.PROVIDERS, CapabilityMissingError
)


def provider(name: str, needed_by: str) -> object:
    """The provider of capability ``name``; ``needed_by`` names the API asking, for the error."""
    try:
        return PROVIDERS.get(name)
    except CapabilityMissingError as exc:
        if name in PROVIDERS.kinds():  # installed, but its own dependency is missing
            raise CapabilityMissingError(f"{needed_by}: {exc}") from exc
        what, hint = CAPABILITIES.get(name, (f"the {name!r} capability", "reinstall provgraph"))
        raise CapabilityMissingError(
            f"{needed_by} needs {what}, which this installation does not provide: {hint}"
        ) from None
    except ExtensionError as exc:
        raise CapabilityMissingError(f"{needed_by}: {exc}") from exc


# Typed doors: the entry point's object is trusted to implement its protocol (the
# provider's own tests check it does).
def persistence(needed_by: str) -> Persistence:
    return cast(Persistence, provider(PERSISTENCE, needed_by))


def exports(needed_by: str) -> Exports:
    return cast(Exports, provider(EXPORTS, needed_by))


def reports(needed_by: str) -> Reports:
    return cast(Reports, provider(REPORTS, needed_by))


def available(name: str) -> bool:
    """Whether capability ``name`` is installed (without loading it)."""
    return name in PROVIDERS.kinds()


__all__ = [
    "EXPORTS",
    "PERSISTENCE",
    "REPORTS",
    "Exports",
    "KeeperHandle",
    "Persistence",
    "QueryAPI",
    "Reports",
    "StoreHandle",
    "available",
    "exports",
    "persistence",
    "provider",
    "reports",
]
