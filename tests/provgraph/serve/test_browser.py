"""The explorer in a real browser (the system's Chromium, headless, driven by Playwright
through real mouse clicks and typing), against a `provgraph serve` over the embedded store:
the workflows list, a workflow's activities, opening an activity, expanding a node, search,
a running workflow gaining a task, and script-bearing names drawn as text, never run.
Screenshots go to ``test-artifacts/serve-*.png``."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from prov_model import map_batch
from tests.browser import click_node, drawn_edges, shot
from tests.conftest import wait_for
from tests.provgraph.serve.conftest import (
    EPOCHS,
    HOSTILE,
    HOSTILE_VALUE,
    WF_TRAIN,
    Server,
    late_task,
)

APP = "provgraphExplorer"  # the window global holding the page's cytoscape
pytestmark = pytest.mark.integration

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
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
def page(browser: Any, embedded_server: Server) -> Iterator[Any]:
    tab = browser.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    tab.goto(embedded_server.url + "/")
    tab.wait_for_selector("body[data-ready=list]", timeout=20_000)
    yield tab
    assert not errors, errors
    assert tab.evaluate("window.__pwned") is None  # no script-bearing name ever ran
    tab.close()


def wait_js(page: Any, expression: str, timeout: float = 20) -> None:
    """Wait until ``expression`` is true in the page, polled through the DevTools protocol
    (Playwright's own wait evaluates strings with ``eval``, which the page's CSP forbids)."""
    wait_for(lambda: page.evaluate(expression), timeout, expression)


def drawn(page: Any) -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = page.eval_on_selector_all(
        "#drawn-nodes li", "items => Object.fromEntries(items.map(li => [li.dataset.id, "
        "{kind: li.dataset.kind, label: li.textContent}]))")
    return found


def open_training(page: Any) -> None:
    page.click(f"#workflows tr[data-id='{WF_TRAIN}'] a")
    page.wait_for_selector("body[data-ready=workflow]", timeout=20_000)


def test_the_list_then_a_workflows_activities_names_as_text(page: Any) -> None:
    rows = page.eval_on_selector_all("#workflows tbody tr", "rows => rows.map(r => r.dataset.id)")
    assert rows == [WF_TRAIN, "wf-prep"]  # newest first
    first = page.text_content("#workflows tbody tr:first-child")
    assert HOSTILE in first and "RUNNING" in first  # the script-bearing name, as text
    assert page.eval_on_selector_all("#workflows img", "imgs => imgs.length") == 0
    shot(page, "serve-1-workflows")
    page.fill("#wf-filter", "prep")
    wait_js(page, "document.querySelectorAll('#workflows tbody tr').length === 1")
    page.fill("#wf-filter", "")
    wait_js(page, "document.querySelectorAll('#workflows tbody tr').length === 2")
    open_training(page)
    nodes = drawn(page)
    assert set(nodes) == {"activity:epoch", f"activity:{HOSTILE}"}
    assert nodes["activity:epoch"]["label"] == f"epoch \u00d7{EPOCHS} (1 failed)"
    assert (f"activity:{HOSTILE}", "activity:epoch", "WAS_INFORMED_BY") in drawn_edges(page)
    assert HOSTILE in page.text_content("#details")
    assert page.eval_on_selector_all("#details img, #details script", "x => x.length") == 0
    shot(page, "serve-2-workflow-activities")


def test_open_an_activity_expand_a_node_and_search(page: Any) -> None:
    open_training(page)
    click_node(page, "activity:epoch", APP)
    wait_js(page, f"document.body.dataset.drawnNodes >= {EPOCHS + 1}")
    nodes = drawn(page)
    assert {f"epoch-{i}" for i in range(EPOCHS)} <= set(nodes)
    assert "activity:epoch" not in nodes and f"activity:{HOSTILE}" in nodes
    assert nodes["epoch-7"]["label"].startswith("\u2717")
    shot(page, "serve-3-activity-opened")
    before = set(nodes)
    click_node(page, "epoch-11", APP)  # adds what it used and what used what it made
    wait_js(page, f"document.body.dataset.drawnNodes > {len(before)}")
    page.wait_for_selector("#details table")
    after = drawn(page)
    assert before <= set(after)  # nothing lost
    new = set(after) - before
    labels = {after[i]["label"] for i in new}
    assert any(label.startswith("model weights after e") for label in labels)
    assert any(label.startswith("the loaded dataset") for label in labels)
    assert "epoch-11" in page.text_content("#details")
    assert page.eval_on_selector_all("#details a[download]", "a => a.length") >= 3
    shot(page, "serve-4-epoch-11-expanded")
    page.click("text=expand upstream")
    page.fill("#search", "/data/raw/measurements.csv")
    page.wait_for_selector("#results li[data-id^='e:']")
    page.click("#results li[data-id^='e:']")
    wait_js(page, "document.querySelector('#details h2') && document.querySelector("
                           "'#details h2').textContent.startsWith('/data/raw')")
    assert any(n["label"].startswith("/data/raw") for n in drawn(page).values())
    shot(page, "serve-5-search-value")


def test_script_bearing_values_are_text_and_a_running_workflow_gains_a_task(
        page: Any, embedded_server: Server) -> None:
    open_training(page)
    click_node(page, f"activity:{HOSTILE}", APP)
    wait_js(page, "!!document.querySelector('#drawn-nodes li[data-id=\"evaluate\"]')")
    click_node(page, "evaluate", APP)
    page.wait_for_selector("#details table")
    wait_js(page, "Number(document.body.dataset.drawnNodes) >= 5")
    labels = [n["label"] for n in drawn(page).values()]
    assert any(label.startswith("<script>") for label in labels)  # drawn as text
    assert HOSTILE_VALUE[:20] in page.text_content("#details")
    assert page.eval_on_selector_all("script", "s => s.length") == 3  # only the page's own
    shot(page, "serve-6-hostile-as-text")
    tasks = int(page.get_attribute("body", "data-tasks"))
    embedded_server.store.write(map_batch([late_task(1)]))
    wait_js(page, f"Number(document.body.dataset.tasks) === {tasks + 1}",
            timeout=15)
    page.wait_for_selector("#drawn-nodes li[data-id='activity:publish']", state="attached")
    assert "live" in page.text_content("#live")
    shot(page, "serve-7-live-new-task")
