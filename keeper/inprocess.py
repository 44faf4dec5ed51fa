"""A keeper running in a thread of the capturing process (``start_persistence=True``).

``Flowcept.start()`` starts one through the persistence provider (:mod:`keeper.provider`).
With ``check_safe_stops``, ``Flowcept.stop()`` sends a flush marker through the hub and
calls :meth:`InProcessKeeper.wait_confirmed`, which returns once a keeper (this one, or
any keeper of the same Redis group) confirms the marker: that happens only after
everything sent before it is stored, so a query right after the ``with`` block sees
every task.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from keeper.loop import Keeper
from keeper.sources.base import open_source
from keeper.stores.base import open_store
from provgraph.core.config import get_settings
from provgraph.core.errors import ProvgraphError

log = logging.getLogger(__name__)


class InProcessKeeper:
    def __init__(self, keeper: Keeper, bundle_exec_id: str | None,
                 on_thread_start: Callable[[], None] | None = None) -> None:
        self.keeper = keeper
        self.bundle_exec_id = bundle_exec_id
        self._on_thread_start = on_thread_start
        self._thread = threading.Thread(target=self._run, name="provgraph-keeper", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        if self._on_thread_start is not None:
            self._on_thread_start()  # the capturing process switches capture off here
        try:
            self.keeper.run()
        except Exception:
            log.exception("the in-process keeper stopped on an error")

    def wait_confirmed(self, marker: str, timeout: float = 60.0) -> bool:
        """Whether the flush marker ``marker`` was confirmed within ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while not self.keeper.source.confirmed(marker):
            if time.monotonic() > deadline or not self._thread.is_alive():
                return False
            time.sleep(0.01)
        return True

    def stop(self, timeout: float = 30.0) -> None:
        self.keeper.stop()
        self._thread.join(timeout)
        self.keeper.source.close()


def start(bundle_exec_id: str | None = None,
          on_thread_start: Callable[[], None] | None = None) -> InProcessKeeper:
    """Start a keeper thread reading the configured hub into the configured store."""
    settings = get_settings()
    if settings.hub.kind == "memory":
        raise ProvgraphError("the memory hub cannot be consumed by a keeper; use file or redis")
    keeper = Keeper(open_source(settings), open_store(settings), settings)
    return InProcessKeeper(keeper, bundle_exec_id, on_thread_start)
