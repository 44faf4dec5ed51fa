"""Views of the PROV graph: a self-contained interactive HTML page, SVG and DOT.

    from exports.views import write_view
    write_view(store, "run.html", workflow="wf-1")              # the whole workflow
    write_view(store, "around.svg", around=task_id, depth=3)    # lineage around a node

:mod:`.scope` (what a view shows, capped), :mod:`.model` (labels, attributes, PROV
styling), :mod:`.html` (the page; libraries from :mod:`.jsassets`), :mod:`.svg` (a layout of
our own: no Graphviz needed), :mod:`.dot` (DOT, and SVG through Graphviz when installed),
:mod:`.collapse` (repeated activities as one node with a count, for SVG and DOT).
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from exports.views.scope import DEFAULT_LIMIT, ViewScope, around_scope, workflow_scope
from provgraph.core.errors import ArgumentError, CapExceededError
from provgraph.core.files import atomic_write

if TYPE_CHECKING:
    from keeper.stores.base import Store

VIEW_SUFFIXES = (".html", ".svg", ".dot")
LAYOUTS = ("auto", "graphviz", "builtin")
STATIC_MAX_NODES = 1500  # a static picture past this is unreadable


def view_format(path: str | os.PathLike[str]) -> str:
    suffix = Path(path).suffix.lower()
    if suffix == ".htm":
        suffix = ".html"
    if suffix not in VIEW_SUFFIXES:
        raise ArgumentError(f"unknown view format {Path(path).suffix or '(none)'!r} of {path}: "
                            f"use {', '.join(VIEW_SUFFIXES)}")
    return suffix


def build_scope(store: Store, *, workflow: str | None = None, around: Any = None,
                depth: int = 3, limit: int = DEFAULT_LIMIT, focus: str | None = None) -> ViewScope:
    if (workflow is None) == (around is None):
        raise ArgumentError("give a workflow or a node to draw around (exactly one)")
    if workflow is not None:
        return workflow_scope(store, workflow, limit, focus)
    return around_scope(store, around, depth, limit)


def render(scope: ViewScope, fmt: str, title: str, layout: str = "auto") -> str:
    """The text of a view of ``scope`` in ``fmt`` (``.html``, ``.svg``, ``.dot``)."""
    if layout not in LAYOUTS:
        raise ArgumentError(f"layout must be one of {', '.join(LAYOUTS)}, got {layout!r}")
    if fmt == ".html":
        from exports.views.html import render_html

        return render_html(scope, title)
    from exports.views.collapse import collapse
    from exports.views.dot import graphviz_available, graphviz_svg, render_dot
    from exports.views.model import view_edges, view_nodes
    from exports.views.overview import OVERVIEW_MIN_TASKS, overview, task_count

    if scope.kind == "workflow" and task_count(scope) > OVERVIEW_MIN_TASKS:
        # A large workflow reads as its activities first (the page drills down).
        picture = overview(scope)
        title = f"{title}: activity overview of {task_count(scope)} tasks"
    else:
        picture = collapse(view_nodes(scope), view_edges(scope), scope.focus)
    if len(picture.nodes) > STATIC_MAX_NODES:
        raise CapExceededError(
            f"{len(picture.nodes)} nodes after collapsing repeated activities is over the "
            f"cap of {STATIC_MAX_NODES} for a static picture: write .html, or use --around "
            "NODE with a smaller --depth")
    if fmt == ".dot":
        return render_dot(picture, title)
    if layout == "graphviz" or (layout == "auto" and graphviz_available()):
        return graphviz_svg(render_dot(picture, title))
    from exports.views.svg import render_svg

    return render_svg(picture, title)


def write_view(store: Store, path: str | os.PathLike[str], *, workflow: str | None = None,
               around: Any = None, depth: int = 3, limit: int = DEFAULT_LIMIT,
               focus: str | None = None, title: str | None = None,
               layout: str = "auto") -> dict[str, Any]:
    """Write a view to ``path`` (format from its suffix); nothing is written when any step
    fails (a temporary file renamed into place). Returns ``{path, format, nodes, edges,
    bytes, seconds, notes}``."""
    began = time.perf_counter()
    fmt = view_format(path)
    scope = build_scope(store, workflow=workflow, around=around, depth=depth, limit=limit,
                        focus=focus)
    if title is None:
        title = (_workflow_title(store, workflow) if workflow is not None
                 else f"lineage around {scope.subject} (depth {depth})")
    text = render(scope, fmt, title, layout)
    target = Path(path)
    data = text.encode("utf-8")
    atomic_write(target, data)
    return {"path": str(target), "format": fmt.lstrip("."), "nodes": len(scope.nodes),
            "edges": len(scope.edges), "bytes": len(data),
            "seconds": time.perf_counter() - began, "notes": scope.notes}


def _workflow_title(store: Store, workflow_id: str) -> str:
    """The workflow's name, which a reader knows it by, then its id."""
    node = store.get_node(workflow_id)
    name = node["props"].get("name") if node is not None else None
    return f"{name} (workflow {workflow_id})" if name else f"workflow {workflow_id}"


__all__ = ["LAYOUTS", "VIEW_SUFFIXES", "build_scope", "render", "view_format", "write_view"]
