"""The query API behind ``Flowcept.db``: tasks and workflows as Flowcept dicts, lineage.

capture reaches it through the persistence provider (:mod:`keeper.provider`) and wraps it
so that ``get_workflow_object`` answers with its ``WorkflowObject``.

    from capture import Flowcept
    Flowcept.db.get_tasks_from_current_workflow()
    Flowcept.db.task_query({"activity_id": "train", "status": "FINISHED"})
    Flowcept.db.upstream(task_id, depth=5)
    Flowcept.db.workflow_dag(workflow_id)["tasks"]

Both stores answer with the same shapes. Filters are ``{field: value}`` on task or
workflow fields; flat fields are matched by the store, dotted ones into nested dicts
(``{"used.epochs": 10}``) are matched on the rebuilt dicts.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any

from keeper.lineage import LineageQueries
from keeper.stores.base import Store, open_store
from prov_model import map_batch
from prov_model.inverse import node_to_message
from prov_model.vocab import TASK, WORKFLOW
from provgraph.core import wire
from provgraph.core.config import Settings, get_settings
from provgraph.core.errors import ArgumentError, ProvgraphError

Filter = Mapping[str, Any]


def _check_filter(filter: Any, name: str = "filter") -> dict[str, Any]:
    if filter is None:
        return {}
    if not isinstance(filter, Mapping):
        raise ArgumentError(f"{name} must be a dict of field -> value, got {type(filter).__name__}")
    for key in filter:
        if not isinstance(key, str) or not key:
            raise ArgumentError(
                f"{name} keys must be field names (non-empty strings), got "
                f"{type(key).__name__} {key!r:.60}"
            )
    return dict(filter)


def _dotted(message: Mapping[str, Any], path: str) -> Any:
    node: Any = message
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return _MISSING
        node = node[part]
    return node


_MISSING = object()

# Message fields stored as flat properties of the same name (matched by the store).
_FLAT_FIELDS = frozenset({
    "workflow_id", "campaign_id", "parent_task_id", "activity_id", "status", "subtype",
    "hostname", "user", "login_name", "agent_id", "name", "parent_workflow_id",
    "started_at", "ended_at", "environment_id", "node_name", "adapter_id", "group_id",
})


class DBAPI(LineageQueries):
    """Queries over one store (``Flowcept.db``); lineage from :class:`LineageQueries`."""

    def __init__(self, store: Store, settings: Settings,
                 current_workflow_id: Callable[[], str | None] | None = None) -> None:
        self.store = store
        self.settings = settings
        self.current_workflow_id = current_workflow_id or (lambda: None)

    def _find(self, label: str, id_field: str, filter: Filter | None,
              limit: int | None) -> list[dict[str, Any]]:
        wanted = _check_filter(filter)
        where = {k: v for k, v in wanted.items() if k in _FLAT_FIELDS and k != id_field}
        if id_field in wanted:
            where["id"] = wanted[id_field]
        rest = {k: v for k, v in wanted.items() if k not in where and k != id_field}
        results: list[dict[str, Any]] = []
        for record in self.store.find_nodes(label, where, None if rest else limit):
            message = node_to_message(record["id"], record["labels"], record["props"])
            if message is None:
                continue
            if all(_dotted(message, k) == v for k, v in rest.items()):
                results.append(message)
                if limit is not None and len(results) >= limit:
                    break
        return results

    # --- the Flowcept DB API -----------------------------------------------------------------

    def task_query(self, filter: Filter | None = None, limit: int | None = None
                   ) -> list[dict[str, Any]]:
        """Tasks matching ``filter``, ordered by start time."""
        return self._find(TASK, "task_id", filter, limit)

    query = task_query

    def workflow_query(self, filter: Filter | None = None, limit: int | None = None
                       ) -> list[dict[str, Any]]:
        return self._find(WORKFLOW, "workflow_id", filter, limit)

    def get_tasks_from_current_workflow(self) -> list[dict[str, Any]]:
        workflow_id = self.current_workflow_id()
        if workflow_id is None:
            raise ProvgraphError("no workflow has been started in this process")
        return self.task_query({"workflow_id": workflow_id})

    def get_workflow(self, workflow_id: str) -> dict[str, Any] | None:
        """One workflow as a Flowcept dict, or ``None``."""
        found = self.workflow_query({"workflow_id": workflow_id}, limit=1)
        return found[0] if found else None

    def insert_or_update_task(self, task: Mapping[str, Any]) -> None:
        """Write a task straight into the store (same mapping and merge rule as the keeper)."""
        self._insert(task, wire.TASK)

    def insert_or_update_workflow(self, workflow: Mapping[str, Any]) -> None:
        self._insert(workflow, wire.WORKFLOW)

    def _insert(self, obj: Any, kind: str) -> None:
        if not isinstance(obj, Mapping):
            raise ArgumentError(f"expected a {kind} dict, got {type(obj).__name__}")
        message = {**obj, wire.TYPE: kind}
        self.store.write(map_batch([message], self.settings.entities))


_lock = threading.Lock()
_cached: tuple[int, DBAPI] | None = None


def db(current_workflow_id: Callable[[], str | None] | None = None) -> DBAPI:
    """The query API over the store the current settings name (one per settings object)."""
    global _cached
    settings = get_settings()
    with _lock:
        if _cached is None or _cached[0] != id(settings):
            if _cached is not None:
                _cached[1].store.close()
            _cached = (id(settings), DBAPI(open_store(settings), settings))
        api = _cached[1]
        if current_workflow_id is not None:
            api.current_workflow_id = current_workflow_id
        return api


def store_alive() -> bool:
    try:
        return db().store.alive()
    except ProvgraphError:
        return False
