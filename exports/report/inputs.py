"""Where a report's records come from: a JSONL buffer file, records in memory, or the store.

Exactly one input mode, as Flowcept's ``generate_report`` has it: ``input_jsonl_path``,
``records``, or the store by ``workflow_id`` / ``campaign_id``; none at all reads the
default buffer file (Flowcept's ``start_here.py`` example calls it that way).

Every mode gives the same :class:`ReportInput`: workflows and tasks as Flowcept dicts
(a task sent twice, RUNNING then FINISHED, merged by the keeper's rule; the end of a run
applied to its workflow) and a store that answers lineage. Records and JSONL files are
written into a temporary embedded store for that, so lineage has one code path.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from keeper import query
from keeper.stores.base import Store
from keeper.stores.embedded import EmbeddedStore
from prov_model import map_batch
from prov_model.merge import merge_task_props
from provgraph.core import wire
from provgraph.core.config import Settings, get_settings
from provgraph.core.errors import MappingError, ReportError, ReportInputNotFound

log = logging.getLogger(__name__)

JSONL, RECORDS, DB = "jsonl", "records", "db"
NO_WORKFLOW = "(no workflow_id)"  # where tasks without a workflow id are counted


def workflow_of(task: Mapping[str, Any]) -> str:
    workflow_id = task.get("workflow_id")
    return workflow_id if isinstance(workflow_id, str) and workflow_id else NO_WORKFLOW


@dataclass
class ReportInput:
    """What a report is made of."""

    mode: str  # jsonl | records | db
    where: str  # what was read, for messages and the card's footer
    workflows: dict[str, dict[str, Any]]  # workflow_id -> workflow dict
    tasks: list[dict[str, Any]]  # every task, in start order
    graph: Store  # answers upstream/downstream
    settings: Settings
    skipped_lines: int = 0
    campaign_id: str | None = None
    unmappable: int = 0  # records the PROV mapping refused (their tasks still count)
    extra: dict[str, Any] = field(default_factory=dict)

    def tasks_of(self, workflow_id: str) -> list[dict[str, Any]]:
        return [t for t in self.tasks if workflow_of(t) == workflow_id]


def select_mode(input_jsonl_path: Any, records: Any, workflow_id: Any, campaign_id: Any) -> str:
    """The one input mode asked for (``jsonl`` when none is)."""
    given = [name for name, value in (("input_jsonl_path", input_jsonl_path),
                                      ("records", records)) if value is not None]
    if workflow_id is not None or campaign_id is not None:
        given.append("workflow_id/campaign_id")
    if len(given) > 1:
        raise ReportError(f"give exactly one input mode, not {' and '.join(given)}: "
                          "input_jsonl_path, records, or workflow_id/campaign_id")
    if workflow_id is not None and campaign_id is not None:
        raise ReportError("give workflow_id or campaign_id, not both")
    if records is not None:
        return RECORDS
    if workflow_id is not None or campaign_id is not None:
        return DB
    return JSONL


@contextmanager
def open_input(mode: str, *, input_jsonl_path: Any = None, records: Any = None,
               workflow_id: str | None = None, campaign_id: str | None = None
               ) -> Iterator[ReportInput]:
    """The report's input for ``mode`` (a temporary store is removed on leaving)."""
    settings = get_settings()
    if mode == DB:
        yield _from_store(settings, workflow_id, campaign_id)
        return
    if mode == JSONL:
        path = Path(input_jsonl_path) if input_jsonl_path is not None else settings.buffer_file
        messages, skipped = read_jsonl(path, default=input_jsonl_path is None)
        where = str(path)
    else:
        messages, skipped, where = _checked_records(records), 0, "the records given"
    with tempfile.TemporaryDirectory(prefix="provgraph-report-") as scratch:
        graph = EmbeddedStore(scratch)
        try:
            unmappable = _write(graph, messages, settings)
            workflows, tasks = merge_records(messages)
            if not tasks:
                what = "records" if mode == RECORDS else "lines"
                raise ReportError(f"no task records in {where} ({len(messages)} {what} read, "
                                  "none of type 'task')")
            yield ReportInput(mode, where, workflows, tasks, graph, settings, skipped,
                              unmappable=unmappable)
        finally:
            graph.close()


def read_jsonl(path: Path, default: bool = False) -> tuple[list[dict[str, Any]], int]:
    """The messages of a JSONL buffer file, and how many lines were not JSON objects."""
    if not path.exists():
        hint = (" (no input given: that is the default buffer file; pass input_jsonl_path, "
                "records, workflow_id or campaign_id)") if default else ""
        raise ReportInputNotFound(f"JSONL file {path} does not exist{hint}")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ReportError(f"cannot read {path}: {exc.strerror or exc}") from exc
    messages: list[dict[str, Any]] = []
    skipped = 0
    for line in data.splitlines():
        if not line.strip():
            continue
        try:
            value = orjson.loads(line)
        except orjson.JSONDecodeError:
            skipped += 1
            continue
        if isinstance(value, dict):
            messages.append(value)
        else:
            skipped += 1
    if not messages:
        detail = f"{skipped} lines that are not JSON objects" if skipped else "no records"
        raise ReportError(f"{path} is empty: {detail}; expected workflow and task records")
    if skipped:
        log.warning("%s: skipped %s lines that are not JSON objects", path, skipped)
    return messages, skipped


def _checked_records(records: Any) -> list[dict[str, Any]]:
    if not isinstance(records, list | tuple):
        raise ReportError(f"records must be a list of dicts, got {type(records).__name__}")
    for index, record in enumerate(records):
        if not isinstance(record, Mapping):
            raise ReportError(f"records[{index}] must be a dict, got {type(record).__name__}")
    if not records:
        raise ReportError("records is empty: expected workflow and task records")
    return [dict(r) for r in records]


def _write(graph: Store, messages: list[dict[str, Any]], settings: Settings) -> int:
    """Write the messages' PROV graph into ``graph``; returns how many could not be mapped."""
    refused: list[int] = []

    def skip(index: int, message: Any, error: MappingError) -> None:
        refused.append(index)
        log.debug("report: record %s not in the lineage graph: %s", index, error)

    delta = map_batch(messages, settings.entities, on_error=skip)
    if delta:
        graph.write(delta)
    if refused:
        log.warning("%s records could not be mapped to PROV; lineage leaves them out",
                    len(refused))
    return len(refused)


def merge_records(messages: list[dict[str, Any]]
                  ) -> tuple[dict[str, dict[str, Any]], list[dict[str, Any]]]:
    """Workflows by id and tasks in start order, each message merged by the keeper's rule."""
    workflows: dict[str, dict[str, Any]] = {}
    tasks: dict[str, dict[str, Any]] = {}
    anonymous = 0
    for message in messages:
        kind = message.get(wire.TYPE)
        if kind == wire.TASK:
            task_id = message.get("task_id")
            if not isinstance(task_id, str) or not task_id:
                anonymous += 1
                task_id = f"(no task_id {anonymous})"
                message = {**message, "task_id": task_id}
            old = tasks.get(task_id)
            tasks[task_id] = merge_task_props(old, message) if old else dict(message)
        elif kind == wire.WORKFLOW or wire.is_workflow_end(message):
            workflow_id = message.get("workflow_id")
            if not isinstance(workflow_id, str) or not workflow_id:
                continue
            update = {k: v for k, v in message.items() if k not in (wire.TYPE, "event")}
            old = workflows.get(workflow_id)
            workflows[workflow_id] = merge_task_props(old, update) if old else update
    for task in tasks.values():  # tasks whose run sent no workflow message
        workflow_id = workflow_of(task)
        if workflow_id not in workflows:
            workflows[workflow_id] = {"workflow_id": workflow_id,
                                      "name": task.get("workflow_name")}
    ordered = sorted(tasks.values(), key=_start_key)
    return workflows, ordered


def _start_key(task: Mapping[str, Any]) -> tuple[float, str]:
    start = task.get("started_at")
    if not isinstance(start, int | float):
        start = task.get("ended_at")
    return (float(start) if isinstance(start, int | float) else float("inf"),
            str(task.get("task_id")))


def _from_store(settings: Settings, workflow_id: str | None,
                campaign_id: str | None) -> ReportInput:
    api = query.db()
    where = _store_name(settings)
    if campaign_id is not None:
        if not isinstance(campaign_id, str) or not campaign_id:
            raise ReportError(f"campaign_id must be a non-empty string, got {campaign_id!r}")
        found = api.workflow_query({"campaign_id": campaign_id})
        if not found:
            raise ReportError(f"no workflow of campaign {campaign_id!r} in {where}")
        workflows = {w["workflow_id"]: w for w in found}
        tasks: list[dict[str, Any]] = []
        for wid in workflows:
            tasks.extend(api.task_query({"workflow_id": wid}))
        tasks.sort(key=_start_key)
        return ReportInput(DB, where, workflows, tasks, api.store, settings,
                           campaign_id=campaign_id)
    if not isinstance(workflow_id, str) or not workflow_id:
        raise ReportError(f"workflow_id must be a non-empty string, got {workflow_id!r}")
    workflow = api.get_workflow(workflow_id)
    tasks = api.task_query({"workflow_id": workflow_id})
    if workflow is None and not tasks:
        raise ReportError(f"workflow {workflow_id!r} not found in {where}")
    if not tasks:
        raise ReportError(f"workflow {workflow_id!r} has no tasks in {where}")
    workflows = {workflow_id: workflow or {"workflow_id": workflow_id}}
    return ReportInput(DB, where, workflows, sorted(tasks, key=_start_key), api.store,
                       settings)


def _store_name(settings: Settings) -> str:
    if settings.store.kind == "neo4j":
        return f"the neo4j store at {settings.store.neo4j.uri}"
    if settings.store.kind == "embedded":
        return f"the embedded store at {settings.embedded_store_dir}"
    return f"the {settings.store.kind} store"
