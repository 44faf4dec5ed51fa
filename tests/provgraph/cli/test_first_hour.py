"""The first hour's rough edges, each as a newcomer meets it: --version, a closed pipe,
reads that name their store and create nothing, listing a store's workflows, plurals,
the demo's next steps, and a module of the user's that shadows a provgraph package."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from capture import Flowcept, flowcept_task
from provgraph.cli import main
from provgraph.cli.tables import article, fit, plural
from tests.capture.conftest import read_all

PROVGRAPH = [sys.executable, "-m", "provgraph.cli"]


def run(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("PROVGRAPH_")}
    environ.update(env)
    return subprocess.run([*PROVGRAPH, *args], cwd=cwd, capture_output=True, text=True,
                          timeout=180, check=False, env=environ)


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == "provgraph 0.1.0"


def test_reading_where_no_store_is_names_it_and_creates_nothing(tmp_path: Path) -> None:
    for args in (["lineage", "dag", "wf-1"], ["workflows"], ["lineage", "upstream", "t1"]):
        done = run(args, tmp_path)
        assert done.returncode == 2
        assert "no embedded store at provgraph-data/embedded" in done.stderr
        assert "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_demo_into_a_closed_pipe_and_the_next_steps(tmp_path: Path) -> None:
    demo = subprocess.Popen([*PROVGRAPH, "demo"], cwd=tmp_path, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert demo.stdout is not None and demo.stderr is not None
    first = demo.stdout.readline()  # then the reader leaves, as `| head -1` does
    demo.stdout.close()
    demo.wait(timeout=180)
    assert first.startswith("provgraph demo:")
    assert "Traceback" not in demo.stderr.read() and demo.returncode in (0, 141)
    # the full run ends with the three commands to try, with its own ids
    done = run(["demo"], tmp_path)
    lines = done.stdout.splitlines()
    workflow_id = lines[1].split()[1]
    tail = "\n".join(lines[-3:])
    assert f"provgraph viz --workflow {workflow_id} -o demo.html" in tail
    assert f"provgraph report --workflow {workflow_id}" in tail
    assert "provgraph lineage upstream " in tail and "write_report" in tail
    # the store now lists both runs; the dag speaks in plurals
    listed = run(["workflows"], tmp_path)
    assert listed.stdout.startswith("2 workflows in the embedded store at ")
    assert listed.stdout.count("demo-train-evaluate") == 2
    dag = run(["lineage", "dag", workflow_id], tmp_path)
    assert "10 tasks, " in dag.stdout and "dependencies, in dependency order" in dag.stdout
    assert "(ies)" not in dag.stdout and "(s)" not in dag.stdout
    task_id = lines[-1].split()[3]
    wrong = run(["lineage", "dag", task_id], tmp_path)
    assert f"{task_id!r} is a Task, not a workflow" in wrong.stderr


def test_words() -> None:
    assert [plural(1, "dependency"), plural(2, "dependency"), plural(1, "workflow"),
            plural(3, "workflow"), plural(0, "hop")] == [
        "1 dependency", "2 dependencies", "1 workflow", "3 workflows", "0 hops"]
    assert article("Activity") == "an Activity" and article("Task") == "a Task"
    # columns fit the terminal: the widest gives way, none below its header
    assert fit([10, 60, 40, 5], [2, 2, 2, 2], 80) == [10, 29, 30, 5]
    assert sum(fit([10, 60, 40, 5], [2, 2, 2, 2], 80)) + 6 == 80


@pytest.mark.parametrize("shadow", ["keeper", "exports", "capture"])
def test_a_shadowing_module_is_named(tmp_path: Path, shadow: str) -> None:
    (tmp_path / f"{shadow}.py").write_text("# the user's own module\n")
    (tmp_path / "script.py").write_text(
        "from provgraph import Flowcept\ndb = Flowcept.db\ndb.task_query({})\n"
        "print(db.export(format=\"json\"))\n")
    done = subprocess.run([sys.executable, "script.py"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120, check=False,
                          env={"PATH": os.environ.get("PATH", ""),
                               "PROVGRAPH_DATA_DIR": str(tmp_path / "data")})
    assert done.returncode != 0
    last = done.stderr.strip().splitlines()[-1]
    assert f"{tmp_path / (shadow + '.py')} shadows provgraph's package {shadow!r}" in last
    assert f"rename your {shadow}.py" in last


@flowcept_task
def where(x: int) -> int:
    return x


def test_the_workflow_and_its_tasks_name_the_same_host() -> None:
    with Flowcept(workflow_name="host", start_persistence=False):
        where(1)
    messages = read_all()
    workflow = next(m for m in messages if m["type"] == "workflow")
    task = next(m for m in messages if m["type"] == "task")
    assert workflow["hostname"] == task["hostname"]


def test_the_card_says_how_many_tasks_record_no_host(tmp_path: Path) -> None:
    from capture import lightweight_flowcept_task

    @lightweight_flowcept_task
    def quick(x: int) -> int:
        return x

    with Flowcept(workflow_name="hosts", start_persistence=False):
        where(1)
        for i in range(3):
            quick(i)
    Flowcept.generate_report(output_path=str(tmp_path / "card.md"))
    hosts = next(line for line in (tmp_path / "card.md").read_text().splitlines()
                 if line.startswith("- **Hosts:**"))
    assert "(1 task)" in hosts and "3 tasks record no host" in hosts, hosts


def test_a_dumped_run_says_how_it_ended(tmp_path: Path) -> None:
    with Flowcept(workflow_name="dumped", start_persistence=False) as run:
        where(1)
    run.dump_buffer(str(tmp_path / "run.jsonl"))
    assert len(Flowcept.read_buffer_file(str(tmp_path / "run.jsonl"))) == 2  # counts hold
    Flowcept.generate_report(input_jsonl_path=str(tmp_path / "run.jsonl"),
                             output_path=str(tmp_path / "card.md"))
    card = (tmp_path / "card.md").read_text()
    assert "**FINISHED**" in card and "no end of run recorded" not in card
