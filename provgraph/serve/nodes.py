"""Nodes as the explorer draws them: the offline views' PROV kind, label, status and side
panel attributes (:mod:`exports.views.model`), so a node reads the same in both."""

from __future__ import annotations

from typing import Any

from exports.views.model import FAILED, attributes, kind_of, label_of


def view_node(node_id: str, labels: list[str], props: dict[str, Any],
              with_attrs: bool = False) -> dict[str, Any]:
    """``{id, kind, type, label, status, failed, workflow_id[, attrs]}`` of one node
    (``props`` may be a full record's or a lineage summary)."""
    kind = kind_of(labels)
    status = props.get("status") if kind == "activity" else None
    out: dict[str, Any] = {
        "id": node_id, "kind": kind, "type": labels[-1] if labels else "",
        "label": label_of(node_id, labels, props), "status": status,
        "failed": status == FAILED, "workflow_id": props.get("workflow_id"),
        "activity_id": props.get("activity_id"),
    }
    if with_attrs:
        out["attrs"] = attributes(node_id, labels, props)
    return out


def lineage_views(answer: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The view of the start and of every hit of a lineage answer (``Lineage.as_dict()``)."""
    start = answer["start"]
    views = {start["id"]: view_node(start["id"], start["labels"], start.get("props", {}))}
    for hit in answer["hits"]:
        views[hit["id"]] = view_node(hit["id"], hit["labels"], hit["props"])
    return views


__all__ = ["lineage_views", "view_node"]
