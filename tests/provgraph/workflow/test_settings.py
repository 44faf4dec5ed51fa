"""The workflow settings file: Formed's ``formed.yml`` or ``provgraph-workflow.yml``."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from provgraph.workflow import (
    FilesystemWorkflowOrganizer,
    MemoryWorkflowOrganizer,
    WorkflowConfigError,
    load_workflow_settings,
)
from provgraph.workflow.steps import STEPS


def test_a_formed_settings_file_imports_its_modules_and_builds_its_organizer(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "pkg_settings_demo"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "__init__.py").write_text("")
    (package / "sub" / "steps.py").write_text(
        "import os\nfrom provgraph import workflow\n\n"
        "@workflow.step\ndef settings_demo_step(x: int) -> int:\n    return x\n\n"
        "SEEN = os.environ.get('DEMO_FLAG')\n")
    (tmp_path / "formed.yml").write_text(
        "required_modules: [pkg_settings_demo]\n"
        "environment: {DEMO_FLAG: 'on'}\n"
        "logging: {pkg_settings_demo: DEBUG}\n"
        "workflow:\n  organizer: {type: filesystem, directory: " + str(tmp_path / "wf") + "}\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DEMO_FLAG", raising=False)
    monkeypatch.syspath_prepend(str(tmp_path))
    env = load_workflow_settings()
    assert env.path == tmp_path / "formed.yml"
    assert "settings_demo_step" in STEPS  # found in a submodule
    import pkg_settings_demo.sub.steps as steps  # type: ignore[import-not-found]

    assert steps.SEEN == "on" and os.environ["DEMO_FLAG"] == "on"
    assert logging.getLogger("pkg_settings_demo").level == logging.DEBUG
    organizer = env.workflow.organizer
    assert isinstance(organizer, FilesystemWorkflowOrganizer)
    assert organizer.directory == tmp_path / "wf"
    assert env.required_modules == ("pkg_settings_demo",)


def test_the_provgraph_name_wins_and_kinds_come_from_settings(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "provgraph-workflow.yml").write_text("workflow: {organizer: memory}\n")
    (tmp_path / "formed.yml").write_text("required_modules: [does_not_exist_anywhere]\n")
    monkeypatch.chdir(tmp_path)
    assert isinstance(load_workflow_settings().workflow.organizer, MemoryWorkflowOrganizer)


@pytest.mark.parametrize(("text", "message"), [
    ("steps: {}\n", "unknown key 'steps' (known: workflow, environment"),
    ("required_modules: [no_such_module_here]\n",
     "required module 'no_such_module_here' cannot be imported: ModuleNotFoundError"),
    ("workflow: {organizer: {type: nowhere}}\n", "unknown workflow organizer kind 'nowhere'"),
    ("logging: {x: LOUD}\n", "logging.x: not a log level: 'LOUD'"),
])
def test_a_bad_settings_file_is_one_clear_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "formed.yml"
    path.write_text(text)
    with pytest.raises((WorkflowConfigError, Exception)) as caught:
        load_workflow_settings(path)
    assert message in str(caught.value)
    assert str(caught.value).count("\n") == 0
