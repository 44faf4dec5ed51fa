"""The HTML view in a real browser: the system's Chromium (installed by
``scripts/system-packages.sh``, which ``make test`` runs), headless, driven by Playwright.
It checks through the DOM what the page draws (the page mirrors its drawn graph in
``#drawn-nodes`` / ``#drawn-edges``), clicks nodes with the mouse, and saves screenshots
under ``test-artifacts/`` (or ``$PROVGRAPH_TEST_ARTIFACTS``)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from exports.views import write_view
from keeper.stores.embedded import EmbeddedStore
from tests.browser import click_node, drawn_edges, shot
from tests.exports.views.conftest import EPOCHS, WF, ids

APP = "provgraphView"  # the window global holding the page's cytoscape
pytestmark = pytest.mark.integration

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# The network is closed here: Chromium must not try to reach anything.
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: run `bash scripts/system-packages.sh` (make test does)")
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    with sync_playwright() as driver:
        context = driver.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, args=FLAGS,
            viewport={"width": 1400, "height": 850})
        yield context
        context.close()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def page(browser: Any, store: EmbeddedStore, tmp_path: Path) -> Iterator[Any]:
    out = tmp_path / "view.html"
    write_view(store, out, workflow=WF, focus="load", title="workflow views-demo")
    tab = browser.new_page()
    requests: list[str] = []
    tab.on("request", lambda request: requests.append(request.url))
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.goto(out.as_uri())
    tab.wait_for_selector("body[data-ready=true]", timeout=20_000)
    yield tab
    assert not errors, errors
    assert all(url.startswith(("file:", "data:", "about:")) for url in requests), requests
    tab.close()


def drawn(page: Any) -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = page.eval_on_selector_all(
        "#drawn-nodes li",
        "items => Object.fromEntries(items.map(li => [li.dataset.id, "
        "{kind: li.dataset.kind, count: li.dataset.count, label: li.textContent}]))")
    return found


def test_opens_on_the_focus_with_one_level_up_and_down(page: Any) -> None:
    nodes = drawn(page)
    # load, what it used (up), what it generated and the epochs informed by it (down, the
    # 12 collapsed into one node with a count), its workflow and its agent.
    assert set(nodes) == {"load", ids()["raw"], ids()["dataset"], "group:epoch", WF,
                          "person:alice"}
    assert nodes[ids()["raw"]]["kind"] == "entity" and nodes["person:alice"]["kind"] == "agent"
    assert nodes["group:epoch"]["count"] == str(EPOCHS)
    assert f"epoch \u00d7{EPOCHS} (1 failed)" in nodes["group:epoch"]["label"]
    edges = drawn_edges(page)
    assert ("load", ids()["raw"], "USED") in edges
    assert (ids()["dataset"], "load", "WAS_GENERATED_BY") in edges
    assert ("group:epoch", "load", "WAS_INFORMED_BY") in edges
    assert page.text_content("#status").startswith("Showing 6 node(s)")
    # Drawn inside the visible canvas, not off-screen.
    inside = page.evaluate("""() => { const cy = window.provgraphView.cy;
        const w = cy.width(), h = cy.height();
        return cy.nodes().every(n => { const b = n.renderedBoundingBox();
          return b.x1 >= 0 && b.y1 >= 0 && b.x2 <= w && b.y2 <= h; }); }""")
    assert inside
    assert "load" in page.text_content("#details")  # the focus's attributes
    shot(page, "view-1-opened")


def test_clicking_expands_the_loop_and_a_node(page: Any) -> None:
    click_node(page, "group:epoch", APP)
    page.wait_for_function(f"document.body.dataset.drawnNodes >= {5 + EPOCHS}")
    nodes = drawn(page)
    assert "group:epoch" not in nodes
    assert {f"epoch-{i}" for i in range(EPOCHS)} <= set(nodes)
    assert nodes["epoch-7"]["label"].startswith("\u2717")  # the failed one is marked
    assert "evaluate" not in nodes
    shot(page, "view-2-loop-expanded")
    before = len(nodes)
    click_node(page, "epoch-11", APP)  # adds its neighbours: its weights, and evaluate
    page.wait_for_function(f"document.body.dataset.drawnNodes > {before}")
    nodes = drawn(page)
    weights = [i for i, n in nodes.items() if n["label"].startswith("model weights after e")]
    assert "evaluate" in nodes and len(weights) == 1
    assert ("evaluate", "epoch-11", "WAS_INFORMED_BY") in drawn_edges(page)
    # The selected node's upstream and downstream are highlighted.
    assert page.evaluate("window.provgraphView.cy.$('node.up').length") >= 1
    assert page.evaluate("window.provgraphView.cy.$('node.down').length") >= 1
    shot(page, "view-3-epoch-11-expanded")
    click_node(page, "epoch-7", APP)
    page.wait_for_selector("#details h2.failed")
    assert "loss is NaN" in page.text_content("#details")
    shot(page, "view-4-failed-selected")


def test_depth_selector_and_search(page: Any) -> None:
    page.select_option("#depth", "2")
    page.wait_for_function("document.body.dataset.drawnNodes > 6")
    nodes = drawn(page)
    assert "group:epoch" in nodes  # depth 2: the epochs' weights, collapsed too
    assert any(n["count"] == str(EPOCHS - 1) for n in nodes.values() if n["kind"] == "entity")
    page.fill("#search", "evaluate")
    page.click("#results li")
    page.wait_for_function("window.provgraphView.state.focus === 'evaluate'")
    nodes = drawn(page)
    assert "evaluate" in nodes and "epoch-11" in nodes
    assert "epoch-3" not in nodes
    shot(page, "view-5-search-evaluate")


def test_expanding_a_group_keeps_every_edge(page: Any) -> None:
    """Opening a collapsed group redraws each of its edges from its members: nothing that
    was connected before the click floats after it (the workflow keeps its edges too)."""
    click_node(page, WF, APP)  # the workflow, selected: its context edges are drawn
    page.wait_for_function("document.body.dataset.drawnNodes > 6")
    before_nodes, before = drawn(page), drawn_edges(page)
    assert "group:epoch" in before_nodes
    workflow_edges = {e for e in before if WF in e[:2]}
    click_node(page, "group:epoch", APP)
    page.wait_for_function(
        f"document.body.dataset.drawnNodes >= {len(before_nodes) + EPOCHS - 1}")
    after_nodes, after = drawn(page), drawn_edges(page)
    assert "group:epoch" not in after_nodes
    new = set(after_nodes) - set(before_nodes)

    def ends(node: str) -> set[str]:
        return {node} if node in after_nodes else new  # a group: its members now

    for source, target, kind in before:
        assert any(a in ends(source) and b in ends(target) and k == kind
                   for a, b, k in after), (source, target, kind)
    floating = {n for n in after_nodes if not any(n in e[:2] for e in after)}
    assert not floating, floating
    assert len({e for e in after if WF in e[:2]}) >= len(workflow_edges)
    shot(page, "view-5-group-expanded-keeps-edges")
