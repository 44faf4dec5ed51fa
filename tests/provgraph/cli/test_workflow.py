"""``provgraph workflow``: the guide's example through the command line (each run a new
process, as a user runs it), edits that keep or break the cache, ``why``, ``visualize``,
``schema`` and bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from provgraph.cli import main

PROJECT = '''
from provgraph import workflow
from helpers import offset


@workflow.step
def add_two_integers(a: int, b: int) -> int:
    return a + b


@workflow.step
def shifted(x: int) -> int:
    return offset(x)


@workflow.step(deterministic=False)
def wall_clock() -> float:
    import time
    return time.time()


@workflow.step
def explode(x: int) -> int:
    raise RuntimeError("no luck with " + str(x))
'''

HELPERS = '''
def offset(x):
    return x + 100
'''

CONFIG = '''
// config.jsonnet
{
  steps: {
    result: {
      type: 'add_two_integers',
      a: 1,
      b: %d,
    },
  },
}
'''


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "my_project.py").write_text(PROJECT)
    (folder / "helpers.py").write_text(HELPERS)
    (folder / "config.jsonnet").write_text(CONFIG % 2)
    (folder / "formed.yml").write_text("# formed.yml\nrequired_modules:\n  - my_project\n")
    return folder


def cli(project: Path, *args: str, code: int = 0) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PROVGRAPH_DATA_DIR": str(project / "data"), "PROVGRAPH_HUB": "file",
           "PROVGRAPH_STORE": "embedded", "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("PROVGRAPH_SETTINGS", None)
    done = subprocess.run([sys.executable, "-m", "provgraph.cli", "workflow", *args],
                          cwd=project, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == code, f"stdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    return done


def status_of(output: str, step: str) -> str:
    """The status column of ``step`` in the run summary."""
    for line in output.splitlines():
        cells = line.split()
        if cells and cells[0] == step:
            return cells[2]
    raise AssertionError(f"no row for {step!r} in:\n{output}")


def test_the_guide_example_runs_then_hits_and_why_says_so(project: Path) -> None:
    first = cli(project, "run", "config.jsonnet")
    assert status_of(first.stdout, "result") == "ran"
    assert first.stdout.splitlines()[-1].split()[-1] == "3"
    assert "[1/1] result" in first.stderr  # progress on stderr
    second = cli(project, "run", "config.jsonnet")
    assert status_of(second.stdout, "result") == "cached"
    assert second.stdout.splitlines()[-1].split()[-1] == "3"
    why = cli(project, "why", "result")
    assert "step 'result' (add_two_integers) was served from the cache" in why.stdout


def test_comment_edit_hits_semantic_and_argument_edits_miss_and_why_names_them(
        project: Path) -> None:
    cli(project, "run", "config.jsonnet")
    source = project / "my_project.py"
    source.write_text(source.read_text().replace(
        "    return a + b", "    # the sum, as the guide says\n    return a  +  b  # same"))
    assert status_of(cli(project, "run", "config.jsonnet").stdout, "result") == "cached"

    source.write_text(source.read_text().replace("return a  +  b", "return b + a + 0"))
    assert status_of(cli(project, "run", "config.jsonnet").stdout, "result") == "ran"
    why_source = cli(project, "why", "result").stdout
    assert "ran again" in why_source and "its fingerprint changed" in why_source
    assert "the source of the step function changed" in why_source

    (project / "config.jsonnet").write_text(CONFIG % 3)
    assert status_of(cli(project, "run", "config.jsonnet").stdout, "result") == "ran"
    why_arg = cli(project, "why", "result").stdout
    assert "- argument 'b' changed: 2 -> 3" in why_arg
    assert "source" not in why_arg.split("\n", 1)[1]  # only the argument changed

    (project / "config.jsonnet").write_text(CONFIG % 4)  # not run yet
    ahead = json.loads(cli(project, "why", "result", "config.jsonnet", "--json").stdout)
    assert ahead["verdict"].startswith("step 'result' (add_two_integers) will run: its "
                                       "fingerprint changed")
    assert ahead["changes"] == ["argument 'b' changed: 3 -> 4"]


def test_editing_a_helper_the_step_calls_is_a_miss(project: Path) -> None:
    (project / "shift.json").write_text('{"steps": {"s": {"type": "shifted", "x": 1}}}')
    assert status_of(cli(project, "run", "shift.json").stdout, "s") == "ran"
    assert status_of(cli(project, "run", "shift.json").stdout, "s") == "cached"
    (project / "helpers.py").write_text(HELPERS.replace("x + 100", "x + 200"))
    rerun = cli(project, "run", "shift.json")
    assert status_of(rerun.stdout, "s") == "ran" and rerun.stdout.split()[-1] == "201"
    assert "- helper helpers:offset changed" in cli(project, "why", "s").stdout


def test_visualize_marks_steps_before_running_and_overrides_force_and_step(
        project: Path) -> None:
    (project / "dag.jsonnet").write_text(textwrap.dedent('''
        {
          steps: {
            base: { type: 'add_two_integers', a: 1, b: 2 },
            top: { type: 'add_two_integers', a: { type: 'ref', ref: 'base' }, b: 10 },
            clock: { type: 'wall_clock' },
            late: { type: 'shifted', x: 1 },
          },
        }'''))
    before = cli(project, "visualize", "dag.jsonnet").stdout
    lines = {line.split()[1]: line for line in before.splitlines()[1:5]}
    assert lines["base"].split()[0] == "●" and "will run" in lines["base"]
    assert "<- base" in lines["top"]
    assert lines["clock"].split()[0] == "~"
    only_base = cli(project, "run", "dag.jsonnet", "--step", "base")
    assert "top" not in only_base.stdout.split("\n", 2)[2]
    after = cli(project, "visualize", "dag.jsonnet").stdout
    assert after.splitlines()[1].split()[:2] == ["✔", "base"]
    overridden = cli(project, "run", "dag.jsonnet", "--overrides", '{"steps.top.b": 40}')
    assert status_of(overridden.stdout, "base") == "cached"
    top_row = next(line for line in overridden.stdout.splitlines() if line.split()[:1] == ["top"])
    assert top_row.split()[-1] == "43"
    forced = cli(project, "run", "dag.jsonnet", "--force", "base", "--force-downstream")
    assert status_of(forced.stdout, "base") == "ran" and "(forced)" in forced.stdout
    assert status_of(forced.stdout, "top") == "ran"
    assert status_of(forced.stdout, "late") == "cached"


def test_schema_describes_the_registered_steps(project: Path) -> None:
    cli(project, "schema", "--output", "schema.json")
    schema = json.loads((project / "schema.json").read_text())
    definitions = schema["$defs"]
    step = next(d for d in definitions.values()
                if d.get("properties", {}).get("type") == {"const": "add_two_integers"})
    assert sorted(map(json.dumps, step["properties"]["a"]["anyOf"])) == [
        '{"$ref": "#/$defs/__ref__"}', '{"type": "integer"}']
    assert set(step["required"]) >= {"a", "b"}
    assert "$schema" in schema["properties"]


def test_bad_input_is_one_line_naming_step_and_key_and_nothing_runs(project: Path) -> None:
    (project / "bad.json").write_text(
        '{"steps": {"first": {"type": "add_two_integers", "a": 1, "b": 2},'
        ' "result": {"type": "add_two_integer", "a": 1, "b": 2}}}')
    bad = cli(project, "run", "bad.json", code=2)
    assert bad.stderr.strip().splitlines() == [
        "provgraph workflow: step 'result': key 'type': unknown step type 'add_two_integer'; "
        "registered: add_two_integers, explode, shifted, wall_clock"]
    assert not (project / "data" / "workflow" / "cache").exists() or not [
        p for p in (project / "data" / "workflow" / "cache").iterdir() if p.name[0] != "."]
    (project / "typo.json").write_text('{"steps": {"r": {"type": "add_two_integers", '
                                       '"a": "one", "b": 2}}}')
    typed = cli(project, "run", "typo.json", code=2)
    assert "step 'r': key 'a': Type mismatch, expected type is int" in typed.stderr
    assert "no such config file" in cli(project, "run", "nope.jsonnet", code=2).stderr
    failing = cli(project, "run", "-", code=2)
    assert failing.stderr.count("\n") == 1


def test_a_failing_step_shows_its_traceback_and_exits_1(project: Path) -> None:
    (project / "boom.json").write_text('{"steps": {"b": {"type": "explode", "x": 7}}}')
    failed = cli(project, "run", "boom.json", code=1)
    assert "Traceback" in failed.stderr and "RuntimeError: no luck with 7" in failed.stderr
    assert failed.stderr.strip().splitlines()[-1] == \
        "provgraph workflow: step 'b' failed: RuntimeError: no luck with 7"


def test_every_workflow_action_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    for action in ("run", "schema", "visualize", "why"):
        with pytest.raises(SystemExit) as exit_:
            main(["workflow", action, "--help"])
        assert exit_.value.code == 0
        assert f"usage: provgraph workflow {action}" in capsys.readouterr().out
