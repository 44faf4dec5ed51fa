"""Converting a store directory of the earlier embedded store (networkx + ``graph.log``).

``data/legacy/graph.log`` was written by that store (a few tasks merged over several
writes, value flow, a chain, an imported PROV document, and a last line torn by a crash);
``data/legacy/expected.json`` holds the graph it answered from that log.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import orjson
import pytest

from keeper.stores.embedded import EmbeddedStore, legacy
from provgraph.core.errors import StoreUnavailableError

DATA = Path(__file__).parent / "data" / "legacy"


def snapshot(store: EmbeddedStore) -> dict[str, Any]:
    nodes = sorted(store.iter_nodes(), key=lambda n: n["id"])
    edges = sorted(store.iter_edges(), key=lambda e: orjson.dumps(e, option=orjson.OPT_SORT_KEYS))
    return {"counts": store.counts(), "nodes": nodes, "edges": edges}


@pytest.fixture
def old_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "embedded"
    directory.mkdir()
    shutil.copy(DATA / "graph.log", directory / "graph.log")
    return directory


def test_an_old_log_is_converted_on_first_open(old_dir: Path) -> None:
    expected = orjson.loads((DATA / "expected.json").read_bytes())
    seen: list[tuple[int, int]] = []
    original = legacy._tty_progress
    try:
        legacy._tty_progress = lambda: lambda done, total: seen.append((done, total))
        store = EmbeddedStore(old_dir)
    finally:
        legacy._tty_progress = original
    try:
        assert snapshot(store) == expected
        assert seen and seen[-1][0] == seen[-1][1]  # progress reached the end
        assert not (old_dir / "graph.log").exists()
        assert (old_dir / "graph.log.converted").read_bytes() == (DATA / "graph.log").read_bytes()
        assert store.upstream("t2") and store.get_node("t1")["props"]["status"] == "FINISHED"  # type: ignore[index]
    finally:
        store.close()
    again = EmbeddedStore(old_dir)  # converted once: opened as a database now
    try:
        assert snapshot(again) == expected
    finally:
        again.close()


def test_a_conversion_cut_short_leaves_the_old_log(old_dir: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    def disk_full(*_: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(legacy.os, "replace", disk_full)
    with pytest.raises(StoreUnavailableError, match=r"graph\.log .*old log is unchanged"):
        EmbeddedStore(old_dir)
    assert (old_dir / "graph.log").read_bytes() == (DATA / "graph.log").read_bytes()
    assert not (old_dir / "graph.db").exists()
    monkeypatch.undo()
    store = EmbeddedStore(old_dir)  # the next open converts it
    try:
        assert snapshot(store) == orjson.loads((DATA / "expected.json").read_bytes())
    finally:
        store.close()
