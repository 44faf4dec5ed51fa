"""A background poller for adapters that observe a store on disk (MLflow, TensorBoard).

``Watcher`` calls ``poll()`` every ``interval_s`` on a daemon thread of its own (capture is
switched off there, so nothing it does records itself). ``stop()`` joins the thread and
then polls once more, so whatever was written before ``stop()`` began is seen. A failing
poll is logged (once per distinct reason, then at debug level) and never raised.
"""

from __future__ import annotations

import logging
import threading
from abc import abstractmethod
from typing import Any

from capture.adapters.base import Adapter
from capture.context import suppress_capture

log = logging.getLogger(__name__)


class Watcher(Adapter):
    """An adapter that polls; subclasses implement :meth:`poll` and set ``interval_s``."""

    interval_s: float = 2.0

    def __init__(self, *, workflow_id: str, campaign_id: str | None,
                 options: dict[str, Any]) -> None:
        super().__init__(workflow_id=workflow_id, campaign_id=campaign_id, options=options)
        self._stop_event = threading.Event()
        self._thread: threading.Thread | None = None
        self._poll_lock = threading.Lock()  # the thread's poll and stop()'s final one
        self._reasons: set[str] = set()
        self.polls = 0

    @abstractmethod
    def poll(self) -> None:
        """Look once for what is new and record it."""

    def start(self) -> None:
        self._safe_poll()  # what is already there is recorded before start() returns
        self._thread = threading.Thread(target=self._run, name=f"provgraph-{self.kind}",
                                        daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop_event.set()
        if self._thread is not None:
            self._thread.join(max(30.0, 3 * self.interval_s))
            self._thread = None
        self._safe_poll()
        self.finish()

    def finish(self) -> None:
        """After the final poll (e.g. report what could not be read)."""

    def _run(self) -> None:
        suppress_capture()
        while not self._stop_event.wait(self.interval_s):
            self._safe_poll()

    def _safe_poll(self) -> None:
        with self._poll_lock:
            try:
                self.poll()
                self.polls += 1
            except Exception as exc:  # never into user code; try again next time
                self.warn_once(f"the {self.kind} interceptor could not read its source: {exc}")

    def warn_once(self, reason: str) -> None:
        """Log ``reason`` as a warning the first time, at debug level afterwards."""
        if reason in self._reasons:
            log.debug("%s", reason)
            return
        self._reasons.add(reason)
        log.warning("%s", reason)
