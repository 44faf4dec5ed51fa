"""A cache entry whose files changed after it was written is not served: the step runs
again, the warning names the entry, and the graph records what was really used (issue 23,
item 3). The directory provgraph creates for a cache is private to its owner."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

import orjson
import pytest

from provgraph import workflow
from provgraph.workflow import DefaultWorkflowExecutor, FilesystemWorkflowCache, WorkflowGraph
from provgraph.workflow import values as step_values

CONFIG = {"steps": {"made": {"type": "made_value", "n": 3},
                    "used": {"type": "uses_value", "x": {"type": "ref", "ref": "made"}}}}


def _register() -> None:
    @workflow.step("made_value", format="json")
    def made_value(n: int) -> dict[str, int]:
        return {"n": n, "square": n * n}

    @workflow.step("uses_value", cacheable=False)
    def uses_value(x: dict[str, int]) -> int:
        return x["square"] + 1


def _run(cache: Path) -> dict[str, object]:
    ctx = DefaultWorkflowExecutor()(WorkflowGraph.from_config(CONFIG),
                                    cache=FilesystemWorkflowCache(cache),
                                    start_persistence=False)
    return {"made": ctx.outcomes["made"], "used": ctx.results["used"],
            "used_outcome": ctx.outcomes["used"]}


def test_an_edited_entry_is_not_served(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    _register()
    cache = tmp_path / "cache"
    first = _run(cache)
    assert first["used"] == 10
    entry = next(p for p in cache.iterdir() if not p.name.startswith("."))
    (entry / "result.json").write_bytes(orjson.dumps({"n": 3, "square": 1000}))
    with caplog.at_level(logging.WARNING):
        second = _run(cache)
    assert second["used"] == 10  # not 1001: the edited value is never used
    made = second["made"]
    assert made.status == "ran"  # type: ignore[attr-defined]
    assert made.content_id == step_values.content_id({"n": 3, "square": 9})  # type: ignore[attr-defined]
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(entry.name in w and "'made'" in w and "running it again" in w for w in warned)
    # the step ran again and replaced the entry: the next run is a hit again
    third = _run(cache)
    assert third["made"].status == "cached" and third["used"] == 10  # type: ignore[attr-defined]


def test_the_cache_directory_provgraph_creates_is_private(tmp_path: Path) -> None:
    FilesystemWorkflowCache(tmp_path / "new" / "cache")
    assert stat.S_IMODE((tmp_path / "new" / "cache").stat().st_mode) == 0o700
