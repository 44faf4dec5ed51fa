"""Cached-step tests: a private data dir (file hub, embedded store) and the step registry
restored after each test, so steps registered by one test never leak into another."""

from __future__ import annotations

import importlib
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import pytest

from capture import recorder
from provgraph.core.config import Settings
from provgraph.workflow.steps import STEPS
from tests.keeper.conftest import embedded_settings


@pytest.fixture(autouse=True)
def _isolated(settings: Settings) -> Iterator[None]:
    """The file hub in a private data dir (no server), as for every capture test."""
    yield


@pytest.fixture(autouse=True)
def _steps_restored() -> Iterator[None]:
    saved = dict(STEPS._steps)
    yield
    STEPS._steps.clear()
    STEPS._steps.update(saved)


@pytest.fixture
def embedded(tmp_path: Path) -> Iterator[Settings]:
    """Settings installed for capture: file hub, embedded store, data dir in tmp_path."""
    settings = embedded_settings(tmp_path / "data")
    recorder.configure(settings)
    yield settings
    recorder.configure(None)


ModuleWriter = Callable[[str, str], ModuleType]


@pytest.fixture
def user_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleWriter]:
    """Write (or rewrite) a module of the user's own code under tmp_path and import it
    fresh, as a new process would."""
    folder = tmp_path / "src"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    written: list[str] = []

    def write(name: str, source: str) -> ModuleType:
        (folder / f"{name}.py").write_text(textwrap.dedent(source))
        sys.modules.pop(name, None)
        importlib.invalidate_caches()
        written.append(name)
        return importlib.import_module(name)

    yield write
    for name in written:
        sys.modules.pop(name, None)
