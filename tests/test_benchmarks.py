"""Every benchmark runs at its smoke size and prints its figure lines (benchmarks that
nobody runs rot unnoticed). The figures themselves are never checked: timings do not fail
a test."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"

# Side-environment scripts: run by capture_overhead.py and workflow_cache.py inside the
# reference environments (Flowcept 1.0.3, Formed), which a test machine does not have.
REFERENCES = {"flowcept_reference.py", "formed_reference.py", "figures.py"}

# script -> (needs the services, the figure lines it must print)
SMOKE: dict[str, tuple[bool, tuple[str, ...]]] = {
    "capture_overhead.py": (False, (r"@flowcept_task\s+[\d.]+ \(",
                                    r"@lightweight_flowcept_task\s+[\d.]+ \(")),
    "dask_overhead.py": (False, (r"with the plugin, drain incl\.\s+[\d.]+",
                                 r"overhead: [+-][\d.]+%")),
    "workflow_cache.py": (False, (r"provenance recorded \(no keeper\)\s+cold\s+[\d.]+",)),
    "embedded_store.py": (False, (r"ingest, map \+ write \(tasks/s\)\s+\d+",
                                  r"in-process upstream depth 10 p50 \(ms\)\s+[\d.]+")),
    "prov_import.py": (False, (r"MB\s+\w+\s+[\d.]+ s",)),
    "openlineage_ingest.py": (False, (r"end to end\s+:\s+[\d,]+ events/s",)),
    "redis_producer.py": (True, (r"producer -> Redis \d+k messages/s", r"hub ceiling \d+k")),
    "keeper_latency.py": (True, (r"^\s+0\.1s\s+\d+\s+[\d.]+\s+[\d.]+",)),
    "keeper_ingest.py": (True, (r"best map\+write: [\d,]+ tasks/s",)),
    "lineage_queries.py": (True, (r"^\s+embedded\s+[\d.]+\s+[\d.]+", r"^\s+neo4j\s+[\d.]+")),
    "prov_export.py": (True, (r"PROV-JSON\s+[\d.]+ MiB vs\s+[\d.]+ MiB",)),
    "hub_scaling.py": (True, (r"producer -> 3 shards:\s+[\d,]+ msg/s",
                              r"2 keeper\(s\) -> Neo4j: [\d,]+ tasks/s")),
    "serve.py": (True, (r"embedded: expand p50 [\d.]+ ms",)),
}


def run_smoke(script: str, tmp_path: Path) -> str:
    env = {k: v for k, v in os.environ.items() if k != "PROVGRAPH_SETTINGS"}
    env["PROVGRAPH_DATA_DIR"] = str(tmp_path / "provgraph-data")
    json_path = tmp_path / "figures.json"
    args = [sys.executable, str(BENCHMARKS / script), "--smoke"]
    done = subprocess.run(args, cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=240)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    assert not json_path.exists()  # a smoke run writes no figures file unless asked
    return done.stdout + done.stderr


@pytest.mark.parametrize("script", sorted(p.name for p in BENCHMARKS.glob("*.py")))
def test_every_benchmark_has_a_smoke_run(script: str) -> None:
    assert script in SMOKE or script in REFERENCES
    if script in SMOKE:
        text = (BENCHMARKS / script).read_text()
        assert "--smoke" in text or "add_smoke(parser)" in text


def _smoke_test(script: str, tmp_path: Path) -> None:
    _, patterns = SMOKE[script]
    if script == "hub_scaling.py":  # it measures the local Redis Cluster
        from provgraph.core.config import load_settings
        from provgraph.services import redis_cluster

        redis_cluster.up(load_settings(), echo=lambda line: None)
    out = run_smoke(script, tmp_path)
    for pattern in patterns:
        assert re.search(pattern, out, re.MULTILINE), f"{script}: no line like {pattern!r}:\n{out}"


@pytest.mark.parametrize("script", sorted(s for s, (services, _) in SMOKE.items() if not services))
def test_smoke(script: str, tmp_path: Path) -> None:
    _smoke_test(script, tmp_path)


@pytest.mark.integration
@pytest.mark.parametrize("script", sorted(s for s, (services, _) in SMOKE.items() if services))
def test_smoke_with_services(script: str, tmp_path: Path) -> None:
    _smoke_test(script, tmp_path)
