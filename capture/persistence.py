"""capture's side of persistence: the keeper and the reports, found at run time.

capture never imports the keeper or the exports (data flows one way); it asks
:mod:`provgraph.core.providers` for them by capability name when ``Flowcept`` needs one, and
gets a clear error naming what to install when it is missing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from capture import context, recorder
from capture.ids import new_uuid
from capture.messages import TaskObject, WorkflowObject
from provgraph.core import providers, wire
from provgraph.core.errors import ArgumentError, ProvgraphError

log = logging.getLogger(__name__)


class Consumer:
    """A keeper running in this process (``start_persistence=True``)."""

    def __init__(self, handle: providers.KeeperHandle) -> None:
        self.handle = handle

    def wait_stored(self, timeout: float = 60.0) -> bool:
        """Return once everything this process sent so far is stored (or after ``timeout``).

        Sends a flush marker through the hub; a keeper (this one, or any keeper of the same
        Redis group) confirms it only after everything sent before it is stored.
        """
        marker = new_uuid()
        recorder.record(wire.flush_marker(marker))
        recorder.flush(timeout)
        stored = self.handle.wait_confirmed(marker, timeout)
        if not stored:
            log.warning("not everything was stored within %ss", timeout)
        return stored

    def stop(self) -> None:
        self.handle.stop()


def start_consumer(bundle_exec_id: str | None, *, required: bool = False) -> Consumer | None:
    """A keeper consuming this process's hub, or ``None`` when none can run here (logged;
    with ``required`` the error is raised instead)."""
    try:
        persistence = providers.persistence("start_persistence")
        handle = persistence.start_keeper(bundle_exec_id=bundle_exec_id,
                                          on_thread_start=context.suppress_capture)
    except ProvgraphError as exc:
        if required:
            raise
        log.warning("persistence not started: %s", exc)
        return None
    return Consumer(handle)


class DB:
    """``Flowcept.db``: the keeper's query API, answering with capture's message objects
    where the Flowcept API does (every other attribute is the keeper's)."""

    def __init__(self, api: providers.QueryAPI | None = None,
                 current_workflow_id: Callable[[], str | None] | None = None,
                 **_flowcept_options: Any) -> None:
        # ``DBAPI()`` with no argument, as Flowcept's own (its options, such as
        # ``with_webserver``, mean nothing here): the configured store, and the
        # workflow of the Flowcept run started last.
        if current_workflow_id is None:
            current_workflow_id = _controller_workflow_id
        if api is None:
            api = providers.persistence("DBAPI").db(current_workflow_id)
        self._api = api
        self._current_workflow_id = current_workflow_id

    def __getattr__(self, name: str) -> Any:
        return getattr(self._api, name)

    def __dir__(self) -> list[str]:
        return sorted({*super().__dir__(), *dir(self._api)})

    def get_workflow_object(self, workflow_id: str) -> WorkflowObject | None:
        found = self._api.get_workflow(workflow_id)
        return WorkflowObject.from_dict(dict(found)) if found is not None else None

    def export(self, format: str = "json", workflow_id: str | None = None,
               path: str | None = None, campaign_id: str | None = None) -> str:
        """A PROV document of ``workflow_id`` (or ``campaign_id``; neither: the current
        workflow, else the whole store) as text, or written to ``path`` (then its path).
        Formats: those ``provgraph export --help`` lists (``json`` by default)."""
        return providers.exports("Flowcept.db.export").export(
            self._api.store, format=format, workflow_id=workflow_id, campaign_id=campaign_id,
            path=path, current_workflow_id=self._current_workflow_id())

    def insert_or_update_task(self, task: TaskObject | Mapping[str, Any]) -> None:
        """Write a task straight into the store (the keeper's mapping and merge rule)."""
        self._api.insert_or_update_task(_message(task, TaskObject))

    def insert_or_update_workflow(self, workflow: WorkflowObject | Mapping[str, Any]) -> None:
        self._api.insert_or_update_workflow(_message(workflow, WorkflowObject))


def _controller_workflow_id() -> str | None:
    from capture.controller import Flowcept  # the controller imports this module

    workflow_id: str | None = Flowcept.current_workflow_id
    return workflow_id


def _message(obj: Any, cls: type[TaskObject] | type[WorkflowObject]) -> dict[str, Any]:
    if isinstance(obj, cls):
        message: dict[str, Any] = obj.to_dict()
        return message
    if isinstance(obj, Mapping):
        return dict(obj)
    raise ArgumentError(f"expected a {cls.__name__} or dict, got {type(obj).__name__}")


def db(current_workflow_id: Callable[[], str | None]) -> DB:
    """The query API behind ``Flowcept.db``."""
    persistence = providers.persistence("Flowcept.db")
    return DB(persistence.db(current_workflow_id), current_workflow_id)


def store_alive() -> bool:
    """Whether the configured store answers (``True`` when no keeper is installed)."""
    if not providers.available(providers.PERSISTENCE):
        return True
    try:
        alive = providers.persistence("services_alive").store_alive()
    except ProvgraphError as exc:
        log.error("the store is not available: %s", exc)
        return False
    return alive


def generate_report(**options: Any) -> dict[str, Any]:
    return dict(providers.reports("Flowcept.generate_report").generate_report(**options))
