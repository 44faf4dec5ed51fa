"""``provgraph export`` and ``provgraph import``: as a user runs them, on both stores."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.exports.conftest import PROV_TESTS, prov_read

BUNDLES = PROV_TESTS / "json" / "bundle2.json"


def provgraph(tmp_path: Path, *args: str, store: str = "embedded",
              stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PROVGRAPH_DATA_DIR": str(tmp_path / "data"),
           "PROVGRAPH_STORE": store}
    return subprocess.run([sys.executable, "-m", "provgraph.cli", *args], env=env,
                          input=stdin, capture_output=True, timeout=120, check=False)


@pytest.fixture(params=["embedded", pytest.param("neo4j", marks=pytest.mark.integration)])
def kind(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "neo4j":
        assert provgraph(tmp_path, "services", "status", store="neo4j").returncode == 0
        from keeper.stores.neo4j import Neo4jStore
        from provgraph.core.config import load_settings

        Neo4jStore.from_settings(load_settings()).clear()
    return str(request.param)


def test_help_shows_examples(tmp_path: Path) -> None:
    for command in ("export", "import"):
        result = provgraph(tmp_path, command, "--help")
        assert result.returncode == 0
        assert b"examples:" in result.stdout and f"provgraph {command}".encode() in result.stdout


def test_import_then_export_every_way(tmp_path: Path, kind: str) -> None:
    result = provgraph(tmp_path, "import", str(BUNDLES), store=kind)
    assert result.returncode == 0, result.stderr
    assert b"(json): 10 records -> 6 nodes, 2 edges" in result.stdout
    exported = provgraph(tmp_path, "export", "--all", store=kind)
    assert exported.returncode == 0, exported.stderr
    assert prov_read(exported.stdout) == prov_read(BUNDLES.read_bytes())
    out = tmp_path / "store.trig"
    written = provgraph(tmp_path, "export", "--all", "-o", str(out), store=kind)
    assert written.returncode == 0 and b"as PROV-O as TriG" in written.stderr
    assert b"GRAPH" not in out.read_bytes() and b"ex:bundle1 {" in out.read_bytes()
    provn = provgraph(tmp_path, "export", "--all", "--format", "provn", store=kind)
    assert provn.stdout.startswith(b"document") and b"bundle ex:bundle2" in provn.stdout
    again = provgraph(tmp_path, "import", "--format", "provn", "-", store=kind,
                      stdin=provn.stdout)
    assert again.returncode == 0 and b"<stdin> (provn)" in again.stdout


def test_bad_input_is_one_line_with_a_non_zero_exit(tmp_path: Path) -> None:
    bad = tmp_path / "broken.json"
    bad.write_text('{"entity": {"ex:e": {}}}')
    result = provgraph(tmp_path, "import", str(bad))
    assert result.returncode == 2
    lines = result.stderr.decode().strip().splitlines()
    assert lines == [f"provgraph import: {bad}: not valid PROV-JSON (W3C Member Submission "
                     "2013): entity ex:e: undeclared prefix 'ex' in 'ex:e'"]
    unknown = provgraph(tmp_path, "export", "--all", "--format", "yaml")
    assert unknown.returncode == 2 and b"known: json" in unknown.stderr
    no_scope = provgraph(tmp_path, "export", "--format", "json")
    assert no_scope.returncode == 2 and b"one of the arguments" in no_scope.stderr
    missing = provgraph(tmp_path, "export", "--workflow", "nope")
    assert missing.returncode == 2 and b"no workflow 'nope'" in missing.stderr


def test_export_of_a_workflow_and_around_a_node(tmp_path: Path) -> None:
    from keeper.stores.embedded import EmbeddedStore
    from tests.exports.diamond import WORKFLOW, write_diamond

    store = EmbeddedStore(tmp_path / "data" / "embedded")
    write_diamond(store)
    store.close()
    doc = provgraph(tmp_path, "export", "--workflow", WORKFLOW)
    assert doc.returncode == 0, doc.stderr
    assert len(json.loads(doc.stdout)["activity"]) == 5
    around = provgraph(tmp_path, "export", "--around", "left", "--up", "--depth", "1")
    assert around.returncode == 0, around.stderr
    ids = set(json.loads(around.stdout)["activity"])
    assert ids == {"pgid:left", "pgid:split"}
