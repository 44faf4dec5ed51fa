"""Report tests run the sample workflow on the file hub and the embedded store of a private
data dir (the Neo4j variants carry ``integration``), in a private working directory where
the default output files land."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from provgraph.core.config import Settings


@pytest.fixture(autouse=True)
def _isolated(settings: Settings, tmp_path: Path,
              monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    here = Path("provgraph.yaml")
    if here.is_file():  # settings found later (the Neo4j pipeline) must stay the same
        shutil.copy(here, tmp_path / here.name)
    monkeypatch.chdir(tmp_path)
    yield
