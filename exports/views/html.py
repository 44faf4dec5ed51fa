"""The self-contained HTML lineage view: one file, every byte it needs inside it (the
libraries of :mod:`exports.views.jsassets`, the page's own script and style, the graph as
JSON), so it opens offline from a file: no CDN, no server."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import orjson

from exports.views.jsassets import libraries
from exports.views.model import view_data
from exports.views.overview import OVERVIEW_MIN_TASKS, activity_overview, task_count
from exports.views.scope import ViewScope
from provgraph.core.version import __version__

ASSETS = Path(__file__).resolve().parent / "assets"


@functools.cache
def _asset(name: str) -> str:
    return (ASSETS / name).read_text(encoding="utf-8")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace(
        '"', "&quot;")


def _script_safe(code: str) -> str:
    """Code that cannot close its ``<script>`` element early."""
    return code.replace("</script", "<\\/script").replace("<!--", "<\\!--")


def page_data(scope: ViewScope, title: str) -> dict[str, Any]:
    """The page's data; a large workflow's page gets its activity overview, which it opens
    on (the same computation the SVG and DOT pictures draw)."""
    data = view_data(scope, title)
    if scope.kind == "workflow" and task_count(scope) > OVERVIEW_MIN_TASKS:
        found = activity_overview(scope)
        data["overview"] = {"activities": found.activities, "edges": found.edges,
                            "links": found.links, "tasks": found.tasks}
    return data


def render_html(scope: ViewScope, title: str) -> str:
    """The page for ``scope`` as text."""
    data = orjson.dumps(page_data(scope, title)).decode()
    # JSON inside <script>: "<" as \u003c keeps any "</script>" in a value harmless.
    data = data.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    libs = "\n".join(f"<script>/* {lib.name} {lib.version} (npm) */\n{_script_safe(lib.text)}"
                     "\n</script>" for lib in libraries())
    parts = {
        "@@VERSION@@": __version__, "@@TITLE@@": _escape(title), "@@CSS@@": _asset("view.css"),
        "@@DATA@@": data, "@@LIBRARIES@@": libs,
        "@@APP@@": _script_safe(_asset("view.js") + "\n" + _asset("overview.js")),
    }
    page = _asset("page.html")
    # One pass over the template: a marker inside inserted text is never replaced.
    out: list[str] = []
    rest = page
    while True:
        positions = [(rest.find(marker), marker) for marker in parts if marker in rest]
        if not positions:
            out.append(rest)
            break
        index, marker = min(positions)
        out.append(rest[:index])
        out.append(parts[marker])
        rest = rest[index + len(marker):]
    return "".join(out)


__all__ = ["render_html"]
