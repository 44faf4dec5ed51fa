"""What the browser tests share: where screenshots go, and reading and clicking what a
page drew (the offline view and the serve explorer list their nodes and edges in the same
hidden lists, and keep their cytoscape instance on a window global)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

ARTIFACTS = Path(os.environ.get("PROVGRAPH_TEST_ARTIFACTS")
                 or Path(__file__).resolve().parents[1] / "test-artifacts")


def drawn_edges(page: Any) -> set[tuple[str, str, str]]:
    """``(source, target, type)`` of every edge the page drew."""
    rows = page.eval_on_selector_all(
        "#drawn-edges li", "items => items.map(li => [li.dataset.source, li.dataset.target, "
        "li.dataset.type])")
    return {tuple(row) for row in rows}


def click_node(page: Any, node_id: str, app: str) -> None:
    """A real mouse click where the page drew the node (``app``: the window global that
    holds the page's cytoscape instance)."""
    x, y = page.evaluate(
        f"""id => {{ const cy = window.{app}.cy;
                   const p = cy.getElementById(id).renderedPosition();
                   const box = cy.container().getBoundingClientRect();
                   return [box.left + p.x, box.top + p.y]; }}""", node_id)
    page.mouse.click(x, y)


def shot(page: Any, name: str) -> Path:
    """A screenshot of the page, kept as a test artifact."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path
