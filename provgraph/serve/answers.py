"""The JSON answers of the API, as plain functions over a store (no HTTP here): the
workflows list, a node, lineage (the answers of :mod:`keeper.lineage.api`, unchanged, with
the views of their nodes added), search and exports. Every answer is bounded."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

from exports.api import export
from exports.base import FORMATS, get_format
from exports.source import ExportScope
from keeper.lineage import api as lineage
from keeper.stores.base import Store
from keeper.stores.lineage import LineageReads
from prov_model.vocab import TASK, WORKFLOW
from provgraph.core.errors import ArgumentError, ProvgraphError
from provgraph.serve.nodes import lineage_views, view_node
from provgraph.serve.overview import FAILED, workflow_state

WORKFLOW_SCAN = 100_000  # workflows read to list them newest first
SEARCH_LIMIT = 50


def _reads(store: Store) -> LineageReads:
    if not isinstance(store, LineageReads):
        raise ArgumentError(f"{type(store).__name__} does not answer lineage queries")
    return store


def _newest_first(node: Mapping[str, Any]) -> tuple[int, float, str]:
    started = node["props"].get("started_at")
    if isinstance(started, (int, float)) and not isinstance(started, bool):
        return (0, -float(started), node["id"])
    return (1, 0.0, node["id"])


def workflows(store: Store, query: str, limit: int, offset: int) -> dict[str, Any]:
    """Workflows newest first (those without a start time last), those whose id or name
    contains ``query`` (any case), a page of them with their task counts and failures."""
    found = store.find_nodes(WORKFLOW, None, WORKFLOW_SCAN + 1)
    scanned_all = len(found) <= WORKFLOW_SCAN
    wanted = query.casefold()
    rows = sorted((n for n in found[:WORKFLOW_SCAN]
                   if not wanted or wanted in n["id"].casefold()
                   or wanted in str(n["props"].get("name") or "").casefold()),
                  key=_newest_first)
    page = rows[offset:offset + limit]
    counts: dict[str, dict[str, int]] = {}
    for row in _reads(store).task_counts([n["id"] for n in page]):
        per = counts.setdefault(row["workflow_id"], {})
        status = str(row["status"])
        per[status] = per.get(status, 0) + row["count"]
    out = []
    for node in page:
        props, statuses = node["props"], counts.get(node["id"], {})
        out.append({"id": node["id"], "name": props.get("name"),
                    "state": workflow_state(props, statuses),
                    "started_at": props.get("started_at"), "ended_at": props.get("ended_at"),
                    "tasks": sum(statuses.values()), "failures": statuses.get(FAILED, 0),
                    "user": props.get("user"), "campaign_id": props.get("campaign_id")})
    return {"workflows": out, "total": len(rows), "offset": offset, "limit": limit,
            "truncated": not scanned_all}


def node(store: Store, node_id: str) -> dict[str, Any]:
    """One node with its side panel attributes (an id, or a value through its content id)."""
    record = lineage.resolve(store, node_id)
    return {"node": view_node(record["id"], record["labels"], record["props"],
                              with_attrs=True),
            "labels": record["labels"]}


def walk(store: Store, node_id: str, way: str, depth: int, limit: int) -> dict[str, Any]:
    """``keeper.lineage.api.lineage(...).as_dict()`` plus ``views`` (id -> node view)."""
    answer = lineage.lineage(store, node_id, way, depth, limit).as_dict()
    answer["views"] = lineage_views(answer)
    return answer


def expand(store: Store, node_id: str, limit: int) -> dict[str, Any]:
    """One level up and one level down of a node, in one read session."""
    def both(reads: LineageReads) -> dict[str, Any]:
        return {"upstream": walk(store, node_id, "upstream", 1, limit),
                "downstream": walk(store, node_id, "downstream", 1, limit)}

    return _reads(store).lineage_session(both)


def path(store: Store, a: str, b: str, depth: int) -> dict[str, Any]:
    """The shortest lineage path between two nodes (``{"path": None}`` when there is none)."""
    found = lineage.path(store, a, b, depth)
    if found is not None:
        found["views"] = {n["id"]: view_node(n["id"], n["labels"], n["props"])
                          for n in found["nodes"]}
    return {"path": found}


def search(store: Store, query: str, workflow_id: str | None, limit: int) -> dict[str, Any]:
    """Exact lookups the store answers from its indexes: a node id, a value (a file path:
    its content id), a workflow name, an activity (its tasks, in ``workflow_id`` when
    given). Substring search over what is drawn happens in the page."""
    results: dict[str, dict[str, Any]] = {}

    def add(records: Sequence[Mapping[str, Any]], why: str) -> None:
        for record in records:
            if len(results) < limit and record["id"] not in results:
                results[record["id"]] = {**view_node(record["id"], record["labels"],
                                                     record["props"]), "match": why}

    reads = _reads(store)
    wanted = [query]
    content = lineage.value_id(query)
    if content is not None:
        wanted.append(content)
    add(reads.nodes_by_ids(wanted), "id")
    add(store.find_nodes(WORKFLOW, {"name": query}, limit + 1), "workflow name")
    where: dict[str, Any] = {"activity_id": query}
    if workflow_id:
        where["workflow_id"] = workflow_id
    tasks = store.find_nodes(TASK, where, limit + 1)
    add(tasks, "activity")
    return {"query": query, "results": list(results.values()),
            "truncated": len(tasks) > limit or len(results) >= limit}


def formats() -> list[dict[str, Any]]:
    """The PROV formats an export can be downloaded in (those whose extra is installed)."""
    out = []
    for kind in FORMATS.kinds():
        try:
            cls = FORMATS.get(kind)
        except ProvgraphError:  # its optional extra is missing: not offered
            continue
        if cls().can_write:
            out.append({"name": kind, "media_type": cls.media_type,
                        "extension": cls.extensions[0] if cls.extensions else f".{kind}",
                        "description": cls.description})
    return out


def export_document(store: Store, scope: str, node_id: str, fmt: str, depth: int
                    ) -> tuple[bytes, str, str]:
    """A PROV document of a workflow, a campaign or the lineage around a node:
    ``(bytes, media type, file name)``."""
    chosen = get_format(fmt)
    if scope == "around":
        target = ExportScope.around(lineage.resolve(store, node_id)["id"], depth)
    elif scope in ("workflow", "campaign"):
        target = ExportScope(scope, node_id)
    else:
        raise ArgumentError(f"scope must be workflow, campaign or around, got {scope!r}")
    out = io.BytesIO()
    export(store, target, chosen.name, out)
    extension = chosen.extensions[0] if chosen.extensions else f".{chosen.name}"
    media = chosen.media_type
    safe = "".join(c if c.isalnum() or c in "-._" else "_" for c in node_id)[:80] or "export"
    return out.getvalue(), str(media), f"{scope}-{safe}{extension}"


__all__ = ["expand", "export_document", "formats", "node", "path", "search", "walk",
           "workflows"]
