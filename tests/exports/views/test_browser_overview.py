"""A large workflow's page in a real browser (headless Chromium, real clicks): it opens on
the activity overview, drills down into an activity's tasks and comes back; edge labels
show on hover. Screenshots go to ``test-artifacts/`` as in test_browser."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from exports.views import write_view
from keeper.stores.embedded import EmbeddedStore
from prov_model import map_batch
from tests.browser import click_node, drawn_edges, shot
from tests.exports.views.pipeline import STAGES, pipeline
from tests.exports.views.test_browser import APP, browser, drawn

pytestmark = pytest.mark.integration
__all__ = ["browser"]  # the fixture, shared

ACTIVITIES = [f"activity:{a}" for a in (*STAGES, "aggregate", "write_report")]


@pytest.fixture(scope="module")
def big_store() -> Iterator[EmbeddedStore]:
    opened = EmbeddedStore(tempfile.mkdtemp(prefix="views-big-"))
    opened.write(map_batch(pipeline("wf-302", 302, name="pipeline of 302 tasks")))
    opened.write(map_batch(pipeline("wf-10k", 10_002, name="pipeline of 10,002 tasks")))
    yield opened
    opened.close()


def open_page(browser: Any, path: Path) -> Any:
    tab = browser.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.goto(path.as_uri())
    tab.wait_for_selector("body[data-ready=true]", timeout=60_000)
    tab.errors = errors
    return tab


@pytest.mark.parametrize(("workflow", "per", "name"), [("wf-302", 75, "300-tasks"),
                                                        ("wf-10k", 2500, "10k-tasks")])
def test_a_large_workflow_opens_on_its_activities_and_drills_down(
        browser: Any, big_store: EmbeddedStore, tmp_path: Path, workflow: str, per: int,
        name: str) -> None:
    out = tmp_path / "big.html"
    write_view(big_store, out, workflow=workflow)
    page = open_page(browser, out)
    try:
        nodes = drawn(page)
        assert set(nodes) == set(ACTIVITIES)
        assert nodes["activity:train_epoch"]["count"] == str(per)
        assert nodes["activity:load_shard"]["label"].startswith(f"load_shard \u00d7{per}\n")
        assert "FINISHED" in nodes["activity:evaluate"]["label"]
        edges = drawn_edges(page)
        assert ("activity:train_epoch", "activity:preprocess", "WAS_INFORMED_BY") in edges
        assert ("activity:write_report", "activity:aggregate", "WAS_INFORMED_BY") in edges
        assert len(edges) == 5
        assert page.text_content("#status").startswith("Activity overview: 6 activities of "
                                                      f"{4 * per + 2} tasks")
        shot(page, f"overview-{name}-1-activities")
        click_node(page, "activity:train_epoch", APP)
        page.wait_for_function("document.body.dataset.mode === 'activity'", timeout=20_000)
        nodes = drawn(page)
        tasks = {i for i, n in nodes.items() if n["label"].lstrip("\u2717 ").startswith(
            "train_epoch #")}
        assert len(tasks) == min(per, 400)
        # the neighbours, one node each: what the epochs used and what used them
        assert set(nodes) - tasks == {"activity:preprocess", "activity:evaluate"}
        assert nodes[f"{workflow}-epoch-13"]["label"] == "\u2717 train_epoch #14"
        details = page.text_content("#details")
        assert f"train_epoch \u00d7{per}" in details and "upstream" in details
        assert f"preprocess ({per} task edges)" in details
        assert ("more task(s) of this activity are not drawn" in details) == (per > 400)
        shot(page, f"overview-{name}-2-train-epoch")
        click_node(page, f"{workflow}-epoch-13", APP)  # a task: its attributes in the panel
        page.wait_for_selector("#details h2.failed")
        assert "loss is NaN" in page.text_content("#details")
        page.click("#fit")  # at 400 tasks the neighbours lie beyond the readable start
        click_node(page, "activity:evaluate", APP)  # a neighbour: drill into it
        page.wait_for_function(
            "document.getElementById('details').textContent.startsWith('evaluate')")
        assert f"{workflow}-eval-0" in drawn(page)
        page.click("#to-overview")  # back
        page.wait_for_function("document.body.dataset.mode === 'overview'")
        assert set(drawn(page)) == set(ACTIVITIES)
        assert not page.errors, page.errors
    finally:
        page.close()


def test_edge_labels_show_on_hover(browser: Any, big_store: EmbeddedStore,
                                   tmp_path: Path) -> None:
    out = tmp_path / "big.html"
    write_view(big_store, out, workflow="wf-302")
    page = open_page(browser, out)
    try:
        click_node(page, "activity:train_epoch", APP)
        page.wait_for_function("document.body.dataset.mode === 'activity'")
        edge = "window.provgraphView.cy.edges().filter(e => e.target().id() === " \
               "'activity:preprocess')[0]"
        assert page.evaluate(f"{edge}.style('label')") == ""  # 75 of them: hover for it
        x, y = page.evaluate(f"""() => {{ const e = {edge};
            const box = window.provgraphView.cy.container().getBoundingClientRect();
            const p = e.renderedMidpoint(); return [box.left + p.x, box.top + p.y]; }}""")
        page.mouse.move(x, y)
        page.wait_for_function(f"{edge}.hasClass('hover')", timeout=5_000)
        assert page.evaluate(f"{edge}.style('label')") == "wasInformedBy"
        assert float(page.evaluate(f"{edge}.style('font-size')").rstrip("px")) >= 11
    finally:
        page.close()
