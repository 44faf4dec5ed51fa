"""A scope's nodes and edges as the views draw them: kind (PROV class), label, status,
the attributes of the side panel, the text search looks in. Shared by the HTML, SVG and
DOT writers, so every picture names things the same way."""

from __future__ import annotations

import datetime as _dt
from typing import Any

import orjson

from exports.views.scope import ViewScope
from exports.views.values import panel_value, value_text
from prov_model.vocab import ACTIVITY, AGENT, ENTITY

LABEL_CHARS = 28
VALUE_CHARS = 20_000  # the side panel's cap on one value (it scrolls)
TEXT_CHARS = 600
FAILED = "ERROR"
# PROV styling as prov.dot draws it.
STYLE = {
    "entity": {"fill": "#FFFC87", "stroke": "#808080", "shape": "ellipse"},
    "activity": {"fill": "#9FB1FC", "stroke": "#0000FF", "shape": "box"},
    "agent": {"fill": "#FED37F", "stroke": "#000000", "shape": "house"},
}
FAILED_STROKE = "#D62728"
TIMES = "\u00d7"  # before the count of a collapsed node (a multiplication sign)
EDGE_LABELS = {
    "USED": "used", "WAS_GENERATED_BY": "wasGeneratedBy", "WAS_INFORMED_BY": "wasInformedBy",
    "WAS_ASSOCIATED_WITH": "wasAssociatedWith", "WAS_PART_OF": "wasPartOf",
}


def kind_of(labels: list[str]) -> str:
    if ACTIVITY in labels:
        return "activity"
    if ENTITY in labels:
        return "entity"
    return "agent" if AGENT in labels else "entity"


def shorten(text: str, size: int) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def when(value: Any) -> str | None:
    """Epoch seconds as ISO UTC text (to the millisecond)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        moment = _dt.datetime.fromtimestamp(value, tz=_dt.UTC)
    except (OverflowError, OSError, ValueError):
        return None
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3] + "Z"


def _json(text: Any) -> Any:
    if not isinstance(text, str):
        return None
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return text


def label_of(node_id: str, labels: list[str], props: dict[str, Any]) -> str:
    primary = labels[-1] if labels else ""
    if primary == "Task":
        text = str(props.get("activity_id") or node_id)
    elif primary in ("Workflow", "Plan", "Person", "SoftwareAgent"):
        text = str(props.get("name") or node_id)
    elif primary == "Entity":
        text = value_text(props.get("value")) or (
            f"{props.get('value_type', 'value')} {props.get('size_bytes', '?')} B")
    else:
        text = node_id
    return shorten(text, LABEL_CHARS)


def _items(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    return {key: value for key, value in pairs if value not in (None, "", [], {})}


def attributes(node_id: str, labels: list[str], props: dict[str, Any]) -> dict[str, Any]:
    """The side panel: what a reader asks of a node, in reading order."""
    kind = kind_of(labels)
    if kind == "entity":
        # The whole value: the label is the short form.
        value = panel_value(props.get("value"))
        if isinstance(value, str):
            value = shorten(value, VALUE_CHARS)
        return _items([("id", node_id), ("value", value), ("type", props.get("value_type")),
                       ("class", props.get("class_name")), ("size (bytes)",
                                                           props.get("size_bytes")),
                       ("hash", (props.get("hash") or "")[:16])])
    if kind == "agent":
        return _items([("id", node_id), ("name", props.get("name")), ("kind", labels[-1])])
    started, ended = props.get("started_at"), props.get("ended_at")
    duration = None
    if isinstance(started, (int, float)) and isinstance(ended, (int, float)):
        duration = round(float(ended) - float(started), 6)
    telemetry = _items([
        ("cpu % at start", props.get("cpu_percent_start")),
        ("cpu % at end", props.get("cpu_percent_end")),
        ("memory % at start", props.get("memory_percent_start")),
        ("memory % at end", props.get("memory_percent_end")),
    ])
    stderr = props.get("stderr")
    return _items([
        ("id", node_id), ("kind", labels[-1]),
        ("activity", props.get("activity_id")), ("name", props.get("name")),
        ("status", props.get("status")), ("subtype", props.get("subtype")),
        ("workflow", props.get("workflow_id")), ("campaign", props.get("campaign_id")),
        ("parent task", props.get("parent_task_id")),
        ("started", when(started)), ("ended", when(ended)), ("duration (s)", duration),
        ("host", props.get("hostname")), ("user", props.get("user")),
        ("used", _json(props.get("used_json"))),
        ("generated", _json(props.get("generated_json"))),
        ("telemetry", telemetry),
        ("error", shorten(stderr, TEXT_CHARS) if isinstance(stderr, str) else None),
        ("tags", props.get("tags")),
    ])


def view_nodes(scope: ViewScope) -> list[dict[str, Any]]:
    """One dict per node: ``id, kind, type, label, status, failed, group, attrs, text,
    outside`` (lineage neighbours left out of the scope)."""
    out = []
    ordinal = scope.ordinals
    for node_id in sorted(scope.nodes):
        record = scope.nodes[node_id]
        labels, props = record["labels"], record["props"]
        label = label_of(node_id, labels, props)
        if node_id in ordinal:
            label = shorten(label, LABEL_CHARS - 6) + f" #{ordinal[node_id]}"
        status = props.get("status") if kind_of(labels) == "activity" else None
        value = props.get("value")
        text = " ".join(str(x) for x in (node_id, label, props.get("activity_id"),
                                         value if isinstance(value, str) else None,
                                         props.get("name")) if x).lower()
        out.append({
            "id": node_id, "kind": kind_of(labels), "type": labels[-1] if labels else "",
            "label": label, "status": status, "failed": status == FAILED,
            "group": props.get("activity_id") if labels[-1:] == ["Task"] else None,
            "attrs": attributes(node_id, labels, props), "text": text,
            "outside": scope.outside.get(node_id, 0),
        })
    return out


def view_edges(scope: ViewScope) -> list[dict[str, Any]]:
    edges = sorted(scope.edges, key=lambda e: (e["src"], e["dst"], e["type"], e.get("role")
                                               or ""))
    return [{"s": e["src"], "t": e["dst"], "type": e["type"], "role": e.get("role")}
            for e in edges]


def view_data(scope: ViewScope, title: str) -> dict[str, Any]:
    """Everything the page needs, as JSON-able data."""
    return {"title": title, "scope": {"kind": scope.kind, "subject": scope.subject,
                                      "depth": scope.depth},
            "focus": scope.focus, "nodes": view_nodes(scope), "edges": view_edges(scope),
            "notes": scope.notes, "edge_labels": EDGE_LABELS}


__all__ = ["EDGE_LABELS", "STYLE", "attributes", "kind_of", "label_of", "view_data",
           "view_edges", "view_nodes", "when"]
