"""A workflow's tasks as OpenLineage run events: the ``openlineage`` export format.

One run per task (``runId`` a UUID derived from the task id, the ids themselves in
provgraph's own run facet so that an import names the same nodes), the workflow as the
``parent`` run, the task's activity as the job (namespace: the workflow's name, else
``provgraph``), and the values a task used or generated that are files or URIs as its
input and output datasets (a dataset read from OpenLineage keeps its namespace and name).
A task gives a START event when it has a start time and a COMPLETE (FINISHED), FAIL
(ERROR, with the error message facet from ``stderr``) or OTHER event at its end; a task
still running gives START only. One event per line, tasks by start time then id.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import IO, TYPE_CHECKING, Any, ClassVar, cast

import orjson

from exports.base import Format
from prov_model.entities import looks_like_path_or_uri
from prov_model.openlineage import PROVGRAPH_FACET, split_uri
from prov_model.vocab import TASK, USED, WAS_GENERATED_BY, WORKFLOW
from provgraph.core import wire
from provgraph.core.errors import DocumentError
from provgraph.core.version import __version__

if TYPE_CHECKING:
    from exports.source import ExportDocument
    from keeper.stores.base import Store

PRODUCER = f"https://provgraph.dev/provgraph/{__version__}"
SCHEMA_URL = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"
FACET_SCHEMA = "https://openlineage.io/spec/facets/1-0-1/{}.json"
OWN_FACET_SCHEMA = "https://provgraph.dev/spec/ProvgraphRunFacet.json"
RUN_NAMESPACE = uuid.UUID("6f1c3b0e-7f43-5d2a-9c1e-2b8d4a6e0f10")  # runIds: uuid5 of ids
END_EVENT = {wire.FINISHED: "COMPLETE", wire.ERROR: "FAIL"}
CHUNK = 500


def run_uuid(node_id: str) -> str:
    """The run id of a task or workflow: itself when it is a UUID, else a stable uuid5."""
    try:
        return str(uuid.UUID(node_id))
    except ValueError:
        return str(uuid.uuid5(RUN_NAMESPACE, node_id))


def iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="microseconds").replace(
        "+00:00", "Z")


def _facet(schema: str, **body: Any) -> dict[str, Any]:
    return {"_producer": PRODUCER, "_schemaURL": schema, **body}


def _dataset(entity: Mapping[str, Any]) -> dict[str, str] | None:
    props = entity.get("props", {})
    if isinstance(props.get("ol_namespace"), str) and isinstance(props.get("ol_name"), str):
        return {"namespace": props["ol_namespace"], "name": props["ol_name"]}
    value = props.get("value")
    if isinstance(value, str) and looks_like_path_or_uri(value):
        namespace, name = split_uri(value)
        return {"namespace": namespace, "name": name}
    return None


def _datasets(store: Store, task_ids: Sequence[str]) -> dict[str, dict[str, list[Any]]]:
    """task id -> {"inputs": [...], "outputs": [...]} (files and URIs only, sorted)."""
    used = store.out_edges_of(task_ids, (USED,))
    made = store.in_edges_of(task_ids, (WAS_GENERATED_BY,))
    entity_ids = sorted({e["dst"] for e in used} | {e["src"] for e in made})
    entities = {n["id"]: n for n in store.nodes_by_ids(entity_ids)}
    out: dict[str, dict[str, list[Any]]] = {t: {"inputs": [], "outputs": []} for t in task_ids}
    for edges, side, task_end, entity_end in ((used, "inputs", "src", "dst"),
                                              (made, "outputs", "dst", "src")):
        for edge in edges:
            ends: Mapping[str, Any] = edge
            entity = entities.get(ends[entity_end])
            dataset = _dataset(entity) if entity is not None else None
            if dataset is not None and dataset not in out[ends[task_end]][side]:
                out[ends[task_end]][side].append(dataset)
    for sides in out.values():
        for items in sides.values():
            items.sort(key=lambda d: (d["namespace"], d["name"]))
    return out


def task_events(task: Mapping[str, Any], workflow: Mapping[str, Any],
                datasets: Mapping[str, list[Any]]) -> Iterator[dict[str, Any]]:
    """The run events of one task (see the module docstring)."""
    props = task.get("props", {})
    wf_props = workflow.get("props", {})
    namespace = wf_props.get("name") or "provgraph"
    facets: dict[str, Any] = {
        "parent": _facet(FACET_SCHEMA.format("ParentRunFacet"),
                         run={"runId": run_uuid(workflow["id"])},
                         job={"namespace": namespace, "name": namespace}),
        PROVGRAPH_FACET: _facet(OWN_FACET_SCHEMA, taskId=task["id"],
                                workflowId=workflow["id"]),
    }
    base = {"producer": PRODUCER, "schemaURL": SCHEMA_URL,
            "job": {"namespace": namespace, "name": str(props.get("activity_id") or task["id"])},
            "inputs": datasets["inputs"], "outputs": datasets["outputs"]}
    run_id = run_uuid(task["id"])
    status = props.get("status")
    started, ended = props.get("started_at"), props.get("ended_at")
    if isinstance(started, int | float):
        yield {"eventType": "START", "eventTime": iso(started),
               "run": {"runId": run_id, "facets": facets}, **base}
    end = END_EVENT.get(status) if isinstance(status, str) else None
    if end is None and status == wire.RUNNING and isinstance(started, int | float):
        return
    end_facets = dict(facets)
    if end == "FAIL" and isinstance(props.get("stderr"), str):
        end_facets["errorMessage"] = _facet(FACET_SCHEMA.format("ErrorMessageRunFacet"),
                                            message=props["stderr"],
                                            programmingLanguage="python")
    when = ended if isinstance(ended, int | float) else started
    if not isinstance(when, int | float):
        when = datetime.now(UTC).timestamp()
    yield {"eventType": end or "OTHER", "eventTime": iso(when),
           "run": {"runId": run_id, "facets": end_facets}, **base}


def workflow_events(store: Store, workflow_id: str) -> Iterator[dict[str, Any]]:
    """The run events of the tasks of ``workflow_id``."""
    workflow = store.get_node(workflow_id)
    if workflow is None or WORKFLOW not in workflow.get("labels", ()):
        raise DocumentError(f"no workflow {workflow_id!r} in the store")
    tasks = store.find_nodes(TASK, {"workflow_id": workflow_id})
    for start in range(0, len(tasks), CHUNK):
        chunk = tasks[start:start + CHUNK]
        datasets = _datasets(store, [t["id"] for t in chunk])
        for task in chunk:
            yield from task_events(task, workflow, datasets[task["id"]])


class OpenLineageFormat(Format):
    name = "openlineage"
    aliases: ClassVar[tuple[str, ...]] = ("ol",)
    extensions: ClassVar[tuple[str, ...]] = (".openlineage.jsonl", ".ol.jsonl")
    description = "OpenLineage run events (one per line)"
    media_type = "application/x-ndjson"

    def write(self, document: ExportDocument, out: IO[bytes]) -> None:
        scope = document.scope
        if scope.kind != "workflow" or not scope.id:
            raise DocumentError("OpenLineage export writes one workflow's tasks: give "
                                "--workflow ID")
        # An export's store is a whole store; the document types it by what it reads.
        for event in workflow_events(cast("Store", document.store), scope.id):
            out.write(orjson.dumps(event) + b"\n")
            document.progress(1)
