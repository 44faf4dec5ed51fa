"""The in-process batching buffer, built like the OpenTelemetry SDK's BatchProcessor.

- ``add()`` is the hot path: a ``deque.append`` and a length check, no lock.
- A daemon worker wakes on an ``Event`` when a batch is full, or every
  ``flush_interval_s``, and hands batches of at most ``max_batch`` to the exporter.
- Memory is bounded without dropping anything: when ``max_queue`` items wait, the
  producer exports a batch itself (back-pressure instead of loss).
- ``force_flush(timeout)`` returns once everything added before the call is exported;
  ``shutdown(timeout)`` flushes and stops the worker; both run at exit.
- After ``fork()`` the child gets a fresh lock, event, queue and worker (the parent still
  owns, and will export, what was queued before the fork).
- Capture is switched off in the worker thread, so an exporter can never record itself.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable
from itertools import repeat, starmap
from typing import Any

from capture.context import SUPPRESSED

log = logging.getLogger(__name__)

Exporter = Callable[[list[Any]], None]

_live_buffers: weakref.WeakSet[BatchBuffer] = weakref.WeakSet()


class BatchBuffer:
    def __init__(
        self,
        exporter: Exporter,
        max_batch: int = 1000,
        flush_interval_s: float = 1.0,
        max_queue: int = 100_000,
    ) -> None:
        if max_batch < 1 or max_queue < max_batch:
            raise ValueError("need 1 <= max_batch <= max_queue")
        self._exporter = exporter
        self.max_batch = max_batch
        self.flush_interval_s = flush_interval_s
        self.max_queue = max_queue
        self.exported = 0  # items handed to the exporter successfully
        self.failed_exports = 0
        self._init_state()
        _live_buffers.add(self)

    def _init_state(self) -> None:
        self._queue: deque[Any] = deque()
        self._wake = threading.Event()
        self._export_lock = threading.Lock()  # one export at a time keeps batches in order
        self._flush_requests: list[threading.Event] = []
        self._woken = False
        self._shutdown = False
        self._worker: threading.Thread | None = None
        self._pid = os.getpid()

    # --- hot path ----------------------------------------------------------------------

    def add(self, item: Any) -> None:
        queue = self._queue
        queue.append(item)
        if len(queue) >= self.max_batch:
            self._batch_ready(len(queue))
        if self._worker is None:
            self._start_worker()

    def _batch_ready(self, size: int) -> None:
        if size >= self.max_queue:
            self._export_batch()  # back-pressure: the producer pays, nothing is lost
        elif not self._woken:  # a plain flag: cheaper than Event.is_set() on every add
            self._woken = True
            self._wake.set()

    # --- worker --------------------------------------------------------------------------

    def _start_worker(self) -> None:
        if self._shutdown:  # after shutdown (e.g. late atexit hooks): export right away
            self._drain()
            return
        with self._export_lock:
            if self._worker is not None or self._shutdown:
                return
            self._worker = threading.Thread(
                target=self._run, name="provgraph-buffer", daemon=True
            )
            self._worker.start()

    def _run(self) -> None:
        SUPPRESSED.set(True)
        while True:
            self._wake.wait(self.flush_interval_s)
            self._wake.clear()
            self._woken = False
            # Take the flush requests before draining: every item added before a request
            # was queued is then exported before that request is answered.
            requests = self._take_flush_requests()
            self._drain()
            for event in requests:
                event.set()
            if self._shutdown:
                self._drain()
                for event in self._take_flush_requests():
                    event.set()
                return

    def _drain(self) -> None:
        while self._queue:
            self._export_batch()

    def _take_flush_requests(self) -> list[threading.Event]:
        with self._export_lock:
            requests, self._flush_requests = self._flush_requests, []
        return requests

    def _export_batch(self) -> None:
        token = SUPPRESSED.set(True)
        try:
            with self._export_lock:
                queue = self._queue
                count = min(len(queue), self.max_batch)
                if not count:
                    return
                # popleft in C (starmap): a list comprehension cost ~2.5x as much per
                # message; popping one by one stays safe beside producers appending.
                batch = list(starmap(queue.popleft, repeat((), count)))
                try:
                    self._exporter(batch)
                    self.exported += count
                except Exception:
                    # The hub must spool what it cannot deliver; if it raised anyway we log
                    # and keep going: capture never breaks the user's program.
                    self.failed_exports += count
                    log.exception("exporting a batch of %s messages failed", count)
        finally:
            SUPPRESSED.reset(token)

    # --- control -------------------------------------------------------------------------

    def pending(self) -> int:
        return len(self._queue)

    def force_flush(self, timeout: float | None = 30.0) -> bool:
        """Export everything queued so far; ``True`` if done within ``timeout`` seconds."""
        self._check_fork()
        worker = self._worker
        if worker is None or not worker.is_alive() or threading.current_thread() is worker:
            self._drain()
            return True
        done = threading.Event()
        with self._export_lock:
            self._flush_requests.append(done)
        self._wake.set()
        if done.wait(timeout):
            return True
        log.warning(
            "flush did not finish within %ss (%s messages pending)", timeout, self.pending()
        )
        return False

    def shutdown(self, timeout: float | None = 30.0) -> None:
        """Flush and stop the worker. Later ``add()`` calls export synchronously."""
        if self._shutdown:
            return
        self.force_flush(timeout)
        self._shutdown = True
        self._wake.set()
        worker = self._worker
        if worker is not None and worker is not threading.current_thread():
            worker.join(timeout)
        self._worker = None
        _live_buffers.discard(self)

    def _check_fork(self) -> None:
        if self._pid != os.getpid():
            self._after_fork()

    def _after_fork(self) -> None:
        self._init_state()


def _after_fork_in_child() -> None:
    for buffer in list(_live_buffers):
        buffer._after_fork()


def _shutdown_all() -> None:
    deadline = time.monotonic() + 30.0
    for buffer in list(_live_buffers):
        buffer.shutdown(max(0.1, deadline - time.monotonic()))


os.register_at_fork(after_in_child=_after_fork_in_child)
atexit.register(_shutdown_all)
