"""The persistence provider the keeper registers for capture (entry-point group
``provgraph.providers``).

capture finds it by capability name, never by import: ``Flowcept(start_persistence=True)``
starts :func:`keeper.inprocess.start`, ``Flowcept.db`` is :func:`keeper.query.db`.
"""

from __future__ import annotations

from collections.abc import Callable

from keeper import inprocess, query


class KeeperPersistence:
    """Implements :class:`provgraph.core.providers.Persistence`."""

    def start_keeper(self, *, bundle_exec_id: str | None,
                     on_thread_start: Callable[[], None]) -> inprocess.InProcessKeeper:
        return inprocess.start(bundle_exec_id=bundle_exec_id, on_thread_start=on_thread_start)

    def db(self, current_workflow_id: Callable[[], str | None]) -> query.DBAPI:
        return query.db(current_workflow_id)

    def store_alive(self) -> bool:
        return query.store_alive()


PERSISTENCE = KeeperPersistence()
