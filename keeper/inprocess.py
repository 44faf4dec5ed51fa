"""A keeper running in a thread of the capturing process (``start_persistence=True``).

``Flowcept.start()`` starts one; ``Flowcept.stop()`` with ``check_safe_stops`` calls
:meth:`InProcessKeeper.wait_stored`: it sends a flush marker through the hub and waits
until a keeper (this one, or any keeper of the same Redis group) confirms it, which
happens only after everything sent before the marker is stored. A query right after the
``with`` block then sees every task.
"""

from __future__ import annotations

import logging
import threading
import time

from capture import recorder
from capture.errors import ProvgraphError
from capture.ids import new_uuid
from capture.settings import get_settings
from keeper.service import Keeper
from keeper.sources.base import open_source
from keeper.stores.base import open_store

log = logging.getLogger(__name__)


class InProcessKeeper:
    def __init__(self, keeper: Keeper, bundle_exec_id: str | None) -> None:
        self.keeper = keeper
        self.bundle_exec_id = bundle_exec_id
        self._thread = threading.Thread(target=self._run, name="provgraph-keeper", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        from capture.context import SUPPRESSED

        SUPPRESSED.set(True)  # the keeper's own work is never captured
        try:
            self.keeper.run()
        except Exception:
            log.exception("the in-process keeper stopped on an error")

    def wait_stored(self, timeout: float = 60.0) -> bool:
        """Return once everything this process sent so far is stored (or after ``timeout``)."""
        marker = new_uuid()
        recorder.record({"type": "control", "event": "flush", "marker": marker})
        recorder.flush(timeout)
        deadline = time.monotonic() + timeout
        while not self.keeper.source.confirmed(marker):
            if time.monotonic() > deadline or not self._thread.is_alive():
                log.warning("not everything was stored within %ss", timeout)
                return False
            time.sleep(0.01)
        return True

    def stop(self, timeout: float = 30.0) -> None:
        self.keeper.stop()
        self._thread.join(timeout)
        self.keeper.source.close()


def start(bundle_exec_id: str | None = None, check_safe_stops: bool = False) -> InProcessKeeper:
    """Start a keeper thread reading the configured hub into the configured store."""
    settings = get_settings()
    if settings.hub.kind == "memory":
        raise ProvgraphError("the memory hub cannot be consumed by a keeper; use file or redis")
    keeper = Keeper(open_source(settings), open_store(settings), settings)
    return InProcessKeeper(keeper, bundle_exec_id)
