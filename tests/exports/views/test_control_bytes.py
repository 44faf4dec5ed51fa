"""A NUL or control byte in a captured value or id: the SVG stays well-formed XML and the DOT
stays a graph Graphviz reads; the byte is shown as its control picture (issue 23, item 10)."""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from exports.views import render
from exports.views.scope import workflow_scope
from keeper.stores.embedded import EmbeddedStore
from prov_model import map_batch

VALUE = "a NUL \x00, a bell \x07, an escape \x1b[31m and a \ufffe, long enough"


@pytest.fixture
def store(tmp_path: Path) -> EmbeddedStore:
    found = EmbeddedStore(tmp_path / "s")
    found.write(map_batch([
        {"type": "workflow", "workflow_id": "w", "name": "ctl \x01 name"},
        {"type": "task", "task_id": "t\x00one", "workflow_id": "w",
         "activity_id": "step \x02 \x0c", "used": {"x\x03": VALUE}, "status": "FINISHED"},
    ]))
    return found


def test_the_builtin_svg_stays_well_formed(store: EmbeddedStore) -> None:
    svg = render(workflow_scope(store, "w"), ".svg", "title \x00", layout="builtin")
    root = ET.fromstring(svg)
    shown = "".join(root.itertext())
    assert "\u2400" in shown and "\x00" not in svg


def test_the_dot_is_read_by_graphviz(store: EmbeddedStore) -> None:
    dot = render(workflow_scope(store, "w"), ".dot", "title \x00")
    assert "\x00" not in dot and "\x07" not in dot
    if shutil.which("dot") is None:
        pytest.skip("Graphviz is not installed")
    done = subprocess.run(["dot", "-Tsvg"], input=dot.encode(), capture_output=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    ET.fromstring(done.stdout)
    svg = render(workflow_scope(store, "w"), ".svg", "title \x00", layout="graphviz")
    ET.fromstring(svg)
