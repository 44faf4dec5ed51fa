"""``Flowcept``: the runtime controller of the Flowcept capture API.

    with Flowcept(workflow_name="demo"):
        y = mult_two(21)
    Flowcept.read_buffer_file()   # the workflow message and the task

``start()`` makes the workflow current (for this context and, as a fallback, the whole
process), sends the workflow message, starts the adapters named by ``interceptors`` and,
with ``start_persistence``, an in-process keeper (found through
:mod:`capture.persistence`). ``stop()`` records the end of the run (when this run sent the
workflow message: its ``ended_at`` and status, ``ERROR`` when an exception left the
``with`` block; a control message, so users' message counts do not change), stops the
adapters, flushes what this process captured and, with ``check_safe_stops``, returns only
once the keeper has stored it.
"""

from __future__ import annotations

import logging
import os
import time
from types import TracebackType
from typing import Any, ClassVar

from capture import buffer_files, context, persistence, recorder
from capture.adapters.base import ADAPTERS, Adapter
from capture.ids import new_uuid
from capture.workflow_message import build_workflow_message, workflow_summary
from provgraph.core import wire
from provgraph.core.config import get_settings
from provgraph.core.errors import ArgumentError, HubError, ProvgraphError
from provgraph.core.wire import user_messages

log = logging.getLogger(__name__)

ALWAYS_ON = "instrumentation"
STOP_TIMEOUT_S = 180.0  # check_safe_stops: the longest stop() waits for the keeper


class _ClassProperty:
    """A read-only property that also works on the class (``Flowcept.db``)."""

    def __init__(self, getter: Any) -> None:
        self._getter = getter
        self.__doc__ = getter.__doc__

    def __get__(self, instance: Any, owner: type) -> Any:
        return self._getter(owner)


class _RunBuffer:
    """``buffer``: this run's messages on an instance; on the class, those of the run
    started last (during it and after it), as Flowcept's class attribute has them."""

    def __get__(self, instance: Flowcept | None, owner: type[Flowcept]) -> list[dict[str, Any]]:
        run = instance if instance is not None else owner._last_run
        if run is None:
            return []
        messages: list[dict[str, Any]] = run.get_buffer()
        return messages


def _end_status(exc: BaseException | None) -> tuple[str, str | None]:
    """How a run ended: FINISHED, or ERROR with the exception that left the block."""
    if exc is None or (isinstance(exc, SystemExit) and exc.code in (0, None)):
        return wire.FINISHED, None
    text = str(exc)
    return wire.ERROR, f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _optional_str(name: str, value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    if hasattr(value, "hex") and type(value).__name__ == "UUID":
        return str(value)
    raise ArgumentError(f"{name} must be a str, got {type(value).__name__}")


class Flowcept:
    """Start and stop capture for one workflow run (context manager or start/stop)."""

    current_workflow_id: ClassVar[str | None] = None
    campaign_id: ClassVar[str | None] = None
    _last_run: ClassVar[Flowcept | None] = None

    def __init__(
        self,
        interceptors: list[str] | str | None = None,
        bundle_exec_id: str | None = None,
        campaign_id: str | None = None,
        workflow_id: str | None = None,
        workflow_name: str | None = None,
        workflow_subtype: str | None = None,
        workflow_args: dict[str, Any] | None = None,
        agent_id: str | None = None,
        parent_workflow_id: str | None = None,
        start_persistence: bool = True,
        check_safe_stops: bool = True,
        save_workflow: bool = True,
        delete_buffer_file: bool | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        if isinstance(interceptors, str):
            interceptors = [interceptors]
        if interceptors is not None and not isinstance(interceptors, list | tuple):
            raise ArgumentError(
                f"interceptors must be a list of str, got {type(interceptors).__name__}"
            )
        if workflow_args is not None and not isinstance(workflow_args, dict):
            raise ArgumentError(
                f"workflow_args must be a dict, got {type(workflow_args).__name__}"
            )
        # The Flowcept docs' distributed example spells it ``save_workflows``.
        save_workflow = bool(kwargs.pop("save_workflows", save_workflow))
        if args:
            log.debug("ignoring positional adapter arguments %s", args)
        self.interceptors = list(interceptors) if interceptors else [ALWAYS_ON]
        self._adapter_options = kwargs
        self._adapters: list[Adapter] = []
        known = ADAPTERS.kinds()
        for kind in self.interceptors:
            if kind not in known:
                log.warning("interceptor %r is not supported by provgraph (known: %s); "
                            "ignoring it", kind, ", ".join(known))
        self.bundle_exec_id = _optional_str("bundle_exec_id", bundle_exec_id) or str(id(self))
        self.campaign_id = _optional_str("campaign_id", campaign_id) or new_uuid()  # type: ignore[misc]
        self._workflow_id: str = _optional_str("workflow_id", workflow_id) or new_uuid()
        # A run that made its own workflow id is that workflow's only producer: it records
        # the end even when it sends no workflow message (``@flowcept``'s default).
        self._owns_workflow = workflow_id is None
        self.current_workflow_id = self._workflow_id  # type: ignore[misc]
        self.workflow_name = _optional_str("workflow_name", workflow_name)
        self.workflow_subtype = _optional_str("workflow_subtype", workflow_subtype)
        self.workflow_args = workflow_args
        self.agent_id = _optional_str("agent_id", agent_id)
        self.parent_workflow_id = _optional_str("parent_workflow_id", parent_workflow_id)
        self.start_persistence = bool(start_persistence)
        self.check_safe_stops = bool(check_safe_stops)
        self.save_workflow = save_workflow
        self.delete_buffer_file_on_start = delete_buffer_file
        self.is_started = False
        self._context_state: Any = None
        self._recorder: recorder.Recorder | None = None
        self._mark: Any = None
        self._workflow_sent = False
        self._started_at = 0.0
        self._keeper: persistence.Consumer | None = None

    # --- lifecycle -------------------------------------------------------------------------

    def start(self) -> Flowcept:
        if self.is_started:
            log.warning("Flowcept %s already started", self.current_workflow_id)
            return self
        settings = get_settings()
        delete = self.delete_buffer_file_on_start
        if delete is None:
            delete = settings.buffer.delete_previous_file
        active = recorder.active()
        if active is not None:
            active.flush()  # what was captured before this run is not part of its buffer
        if delete and settings.hub.kind == "file":
            buffer_files.delete(settings.buffer_file)
        self._recorder = active
        workflow = context.WorkflowContext(
            workflow_id=self._workflow_id,
            campaign_id=self.campaign_id,
            workflow_name=self.workflow_name,
        )
        if active is not None:
            try:
                self._mark = active.hub.mark()
            except HubError as exc:
                log.debug("hub cannot mark its position: %s", exc)
        self._context_state = context.enter_workflow(workflow)
        self._started_at = time.time()
        Flowcept.current_workflow_id = self._workflow_id
        Flowcept.campaign_id = self.campaign_id
        Flowcept._last_run = self
        self._workflow_sent = False
        if active is not None:
            active.raw_data.clear()  # raw data of earlier runs is not part of this run
        if self.start_persistence and active is not None:
            self._keeper = persistence.start_consumer(self.bundle_exec_id)
        if self.save_workflow and active is not None:
            active.record(
                build_workflow_message(
                    workflow,
                    subtype=self.workflow_subtype,
                    used=self.workflow_args,
                    parent_workflow_id=self.parent_workflow_id,
                    agent_id=self.agent_id,
                    interceptor_ids=[f"{self.bundle_exec_id}:{i}" for i in self.interceptors],
                )
            )
            self._workflow_sent = True
        self._start_adapters()
        self.is_started = True
        return self

    def _start_adapters(self) -> None:
        for kind in self.interceptors:
            if kind not in ADAPTERS.kinds():
                continue
            try:
                adapter = ADAPTERS.get(kind)(workflow_id=self._workflow_id,
                                             campaign_id=self.campaign_id,
                                             options=self._adapter_options)
                adapter.start()
            except ProvgraphError as exc:  # capture goes on without this adapter
                log.error("interceptor %r not started: %s", kind, exc)
                continue
            except Exception:  # a broken adapter never breaks the user's program
                log.exception("interceptor %r not started", kind)
                continue
            self._adapters.append(adapter)

    def _stop_adapters(self) -> None:
        while self._adapters:
            adapter = self._adapters.pop()
            try:
                adapter.stop()
            except Exception as exc:  # never into user code
                log.warning("interceptor %r did not stop cleanly: %s", adapter.kind, exc)

    def stop(self) -> None:
        """End the run (``FINISHED``): flush, and wait for the keeper when asked to."""
        self._stop(wire.FINISHED, None)

    def _stop(self, status: str, stderr: str | None) -> None:
        if not self.is_started:
            return
        self.is_started = False
        self._stop_adapters()
        active = self._recorder
        if active is not None and (self._workflow_sent or self._owns_workflow):
            # Only the run that sent the workflow message (or made the workflow id) ends
            # it: producers that share a workflow_id (save_workflow=False) must not mark
            # it ended for the others.
            end = wire.workflow_end(self._workflow_id, time.time(), status, stderr)
            if not self._workflow_sent:
                # No workflow message (``@flowcept``): the end carries what a card names
                # (a control message: ``read_buffer_file`` counts stay Flowcept's).
                end.update(workflow_summary(self.workflow_name, self._started_at))
            active.record(end)
        if active is not None:
            active.flush()
        if self._keeper is not None:
            if self.check_safe_stops:
                self._keeper.wait_stored(timeout=STOP_TIMEOUT_S)
            self._keeper.stop()
            self._keeper = None
        if self._context_state is not None:
            context.leave_workflow(self._context_state)
            self._context_state = None

    def __enter__(self) -> Flowcept:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop(*_end_status(exc))

    # --- the buffer ----------------------------------------------------------------------------

    def get_buffer(self, return_df: bool = False) -> Any:
        """The messages this run sent (list of dicts, or a DataFrame with ``return_df``);
        a task's raw ``data`` bytes are back in its dict, as Flowcept's buffer has them."""
        messages = self._messages(with_raw_data=True)
        return buffer_files.to_dataframe(messages) if return_df else messages

    def _messages(self, with_raw_data: bool, with_end: bool = False) -> list[dict[str, Any]]:
        active = self._recorder or recorder.active()
        messages: list[dict[str, Any]] = []
        if active is None:
            return messages
        active.flush()
        try:
            emitted = active.hub.read_since(self._mark)
        except HubError as exc:
            log.warning("cannot read the buffer back: %s", exc)
            emitted = []
        messages = user_messages(emitted)
        if with_end:  # the end of this run (a control message; readers leave it out)
            messages += [m for m in emitted if wire.is_workflow_end(m)
                         and m.get("workflow_id") == self._workflow_id]
        if with_raw_data:
            for message in messages:
                if wire.DATA_REF in message and message.get(wire.TYPE) == wire.TASK:
                    raw = active.raw_data.get(message.get("task_id", ""))
                    if raw is not None:
                        message["data"] = raw
        return messages

    buffer = _RunBuffer()

    def dump_buffer(self, path: str | os.PathLike[str] | None = None) -> None:
        """Write this run's messages as JSONL to ``path`` (overwrites), and the end of the
        run once it stopped. Raw data bytes are left out, as Flowcept leaves them out of
        its file (``data_ref`` describes them)."""
        target = buffer_files.resolve(path)
        # With the end of the run, when it has ended: a card of the file then says how
        # it ended (``read_buffer_file`` leaves the control message out, as always).
        buffer_files.write(self._messages(with_raw_data=False, with_end=True), target)

    @staticmethod
    def delete_buffer_file(path: str | os.PathLike[str] | None = None) -> None:
        buffer_files.delete(path)

    @staticmethod
    def read_buffer_file(
        file_path: str | os.PathLike[str] | None = None,
        return_df: bool = False,
        normalize_df: bool = False,
        consolidate: bool = False,
        workflow_id: str | None = None,
        cleanup_files: bool = True,
    ) -> Any:
        recorder.flush()
        return buffer_files.read(
            file_path, return_df, normalize_df, consolidate, workflow_id, cleanup_files
        )

    read_messages_file = read_buffer_file

    # --- services ---------------------------------------------------------------------------

    @staticmethod
    def services_alive() -> bool:
        """Whether the hub (and the store, when a keeper is installed) answer."""
        active = recorder.active()
        if active is not None and not active.hub.alive():
            log.error("the %s hub is not available", active.hub.kind)
            return False
        return persistence.store_alive()

    @staticmethod
    def start_consumption_services(
        bundle_exec_id: str | None = None,
        check_safe_stops: bool = False,
        consumers: list[Any] | None = None,
    ) -> Any:
        if consumers is not None and len(consumers) > 1:
            raise NotImplementedError("only one consumer type is supported")
        return persistence.start_consumer(bundle_exec_id, required=True)

    @staticmethod
    def generate_report(
        report_type: str = "provenance_card",
        format: str | None = None,
        print_markdown: bool = False,
        output_path: str | None = None,
        input_jsonl_path: str | None = None,
        records: list[dict[str, Any]] | None = None,
        workflow_id: str | None = None,
        campaign_id: str | None = None,
    ) -> dict[str, Any]:
        """Write the provenance card (markdown) or report (PDF) of a JSONL file, records, or
        the store's ``workflow_id`` / ``campaign_id`` (exactly one; none: the buffer file).
        ``format`` defaults to the type's own (markdown for the card, pdf for the report)."""
        return persistence.generate_report(
            report_type=report_type, format=format, print_markdown=print_markdown,
            output_path=output_path, input_jsonl_path=input_jsonl_path, records=records,
            workflow_id=workflow_id, campaign_id=campaign_id,
        )

    def _db(cls) -> Any:
        """The query API over the configured store (the keeper's, see ``keeper.query``)."""
        return persistence.db(lambda: Flowcept.current_workflow_id)

    db = _ClassProperty(_db)

    def __repr__(self) -> str:
        return (f"Flowcept(workflow_id={self.current_workflow_id!r}, "
                f"workflow_name={self.workflow_name!r}, started={self.is_started})")
