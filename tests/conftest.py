"""Shared fixtures: every test gets its own data dir and a fresh recorder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from capture import recorder
from capture.settings import Settings, load_settings


def make_settings(data_dir: Path, **env: str) -> Settings:
    environ = {"PROVGRAPH_DATA_DIR": str(data_dir), **env}
    settings = load_settings(environ=environ)
    settings.buffer.flush_interval_s = 0.05
    return settings


@pytest.fixture
def settings(tmp_path: Path) -> Iterator[Settings]:
    """Settings with a private data dir, installed as the process settings."""
    resolved = make_settings(tmp_path / "data")
    recorder.configure(resolved)
    yield resolved
    recorder.configure(None)
