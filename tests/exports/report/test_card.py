"""The provenance card (markdown): its sections from the documented behaviour, the same
from every input mode, and no crash on odd records."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from capture import Flowcept
from exports.report.service import generate_report
from exports.report.terminal import print_markdown
from provgraph.core.config import Settings
from tests.exports.report.sample import run_sample
from tests.keeper.conftest import pipeline  # noqa: F401


def section(markdown: str, title: str) -> str:
    """The text of the ``## ...title`` section."""
    match = re.search(rf"^## [^\n]*{re.escape(title)}[^\n]*\n(.*?)(?=^## |\Z)", markdown,
                      re.S | re.M)
    assert match, f"no section {title!r}"
    return match.group(1)


def row(markdown: str, first_cell: str) -> list[str]:
    for line in markdown.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and cells[0] == first_cell:
            return cells
    raise AssertionError(f"no table row starting with {first_cell!r}")


@pytest.fixture
def card(settings: Settings) -> tuple[Flowcept, str]:
    run = run_sample()
    result = Flowcept.generate_report(workflow_id=run.current_workflow_id)
    assert result["output"] == "PROVENANCE_CARD.md" and result["input_mode"] == "db"
    text = Path("PROVENANCE_CARD.md").read_text()
    assert result["markdown"] == text
    return run, text


def test_the_card_has_flowcepts_sections_and_what_they_lack(card: tuple[Flowcept, str]
                                                             ) -> None:
    run, text = card
    assert text.startswith("# Provenance card: sample_pipeline\n")
    for title in ("1. Workflow", "2. Summary", "3. Infrastructure", "4. Overview",
                  "5. Activities", "6. Artifacts", "7. Aggregated telemetry",
                  "8. Lineage of the final outputs", "9. Failed tasks", "About this card"):
        section(text, title)
    assert f"`{run.current_workflow_id}`" in section(text, "1. Workflow")
    assert "`lr` = `0.1`" in section(text, "1. Workflow")
    summary = section(text, "2. Summary")
    assert "**FINISHED** (2 task(s) failed inside it)" in summary
    assert "(recorded when the run stopped)" in summary
    assert "10 in 8 activities; FINISHED 8, ERROR 2" in summary
    infra = section(text, "3. Infrastructure")
    assert "- **Python:** 3." in infra and "- **provgraph:** 0.1.0 (captured)" in infra
    assert "- **Hosts:** `" in infra and "- **Git:** " in infra
    assert row(text, "ERROR")[1] == "2"


def test_activities_code_versions_artifacts_and_telemetry(card: tuple[Flowcept, str]) -> None:
    _, text = card
    activities = section(text, "5. Activities")
    iterations = row(activities, "epochs_iteration")
    assert iterations[1:3] == ["3", "FINISHED 3"]
    assert all(re.fullmatch(r"[\d.]+ (ms|µs|s)", c) for c in iterations[3:8])
    code = activities.split("### Code version of each activity")[1]
    train = row(code, "train")
    assert re.fullmatch(r"tests\.exports\.report\.sample\.train @[0-9a-f]{12}", train[1])
    assert "No code recorded for: epochs_iteration, render_plot, release" in activities
    artifacts = section(text, "6. Artifacts")
    assert row(artifacts, "train")[1:4] == ["model", "array", "1"]
    assert row(artifacts, "epochs_iteration")[1:4] == ["loss", "number", "3"]
    assert "Raw data: 1 task, 72 B in all (image/png 1)" in artifacts
    telemetry = section(text, "7. Aggregated telemetry")
    assert row(telemetry, "Tasks with telemetry")[1] == "1"  # train is a telemetry task
    assert re.search(r"CPU \(machine\), mean / max \| [\d.]+% / [\d.]+%", telemetry)
    assert "Process memory (RSS), max | " in telemetry


def test_lineage_of_final_outputs_and_failed_tasks(card: tuple[Flowcept, str]) -> None:
    _, text = card
    lineage = section(text, "8. Lineage of the final outputs")
    evaluate = lineage[lineage.index("- **evaluate**"):].split("\n- **")[0]
    assert "outputs: `accuracy = 0.91`" in evaluate
    assert "`path = /data/train.csv`" in evaluate and "`lr = 0.1`" in evaluate
    assert "through tasks: train ×1, load ×1" in evaluate
    assert "- **epochs_iteration**" in lineage and "1 of 3" in lineage
    assert "- **summarize**" not in lineage  # publish used its output: not final
    failures = section(text, "9. Failed tasks")
    publish = row(failures, next(c for c in re.findall(r"`[^`]+`", failures)
                                 if row(failures, c)[1] == "publish"))
    assert publish[2] == "upload refused: quota exceeded"  # the first line of stderr
    assert publish[4] == "failed with it: release; nothing downstream"
    structure = section(text, "4. Overview")
    assert "load ──▶ train  (1 task pair)" in structure
    assert "epochs_iteration ⊂ train  (3 tasks inside)" in structure


def test_every_input_mode_gives_the_same_activities(card: tuple[Flowcept, str],
                                                    settings: Settings) -> None:
    _, from_store = card
    from_file = generate_report(input_jsonl_path=str(settings.buffer_file),
                                output_path="file.md")["markdown"]
    records = Flowcept.read_buffer_file()
    from_records = generate_report(records=records, output_path="records.md")["markdown"]
    for text in (from_file, from_records):
        for activity in ("load", "train", "epochs_iteration", "publish", "release"):
            assert row(section(text, "5. Activities"), activity)[:3] == row(
                section(from_store, "5. Activities"), activity)[:3]
        assert section(text, "8. Lineage") == section(from_store, "8. Lineage")
    assert "(recorded when the run stopped)" in from_file  # the end is in the file
    # read_buffer_file() leaves the end out (a control message): the card says so
    assert "no end of run recorded" in section(from_records, "2. Summary")


def test_print_markdown_renders_with_rich(settings: Settings) -> None:
    run_sample(fail=False)
    text = generate_report(input_jsonl_path=str(settings.buffer_file))["markdown"]
    out = io.StringIO()
    print_markdown(text, out)
    rendered = out.getvalue()
    assert "Provenance card: sample_pipeline" in rendered
    assert "|---|" not in rendered and "epochs_iteration" in rendered
    assert "No task failed." in rendered


def test_flowcept_generate_report_prints_markdown(settings: Settings,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    run_sample(fail=False)
    Path("out").mkdir()  # no parent is created on the way (tests/provgraph/cli/test_output)
    result = Flowcept.generate_report(print_markdown=True, output_path="out/card.md")
    assert Path("out/card.md").is_file() and result["input_mode"] == "jsonl"
    assert "Aggregated telemetry" in capsys.readouterr().out


def test_start_here_example_reports_from_the_default_buffer_file(settings: Settings) -> None:
    from capture import flowcept
    from tests.capture.test_flowcept_decorator import mult_two, sum_one

    @flowcept
    def main() -> None:
        mult_two(sum_one(3))

    main()
    assert len(Flowcept.read_buffer_file()) == 2
    Flowcept.generate_report(output_path="WORKFLOW_CARD.md")
    text = Path("WORKFLOW_CARD.md").read_text()
    assert row(section(text, "5. Activities"), "sum_one")[1] == "1"
    # 4 is a small int, one object Python shares: passing it links nothing
    assert "sum_one ──▶ mult_two" not in text
    # @flowcept sends no workflow message, but its run records the end and names it
    assert "**FINISHED**" in section(text, "2. Summary")
    assert "- **Name:** main" in text


def test_tasks_with_missing_or_odd_fields_never_crash_the_card() -> None:
    records = [
        {"type": "task"},
        {"type": "task", "task_id": "t2", "activity_id": "odd", "started_at": "yesterday",
         "ended_at": None, "used": ["not", "a", "dict"], "generated": 5, "status": None,
         "telemetry_at_start": "cpu", "telemetry_at_end": {"cpu": {"percent_all": "hot"}},
         "code": "main.py", "hostname": 7, "stderr": {"trace": ["a", "b"]}},
        {"type": "task", "task_id": "t3", "activity_id": "odd", "status": "ERROR",
         "ended_at": 10.0, "parent_task_id": "t-missing"},
        {"type": "workflow", "workflow_id": "w"},
        {"type": "something_else", "x": 1},
    ]
    for kind in ("provenance_card", "provenance_report"):
        result = generate_report(report_type=kind, records=records, output_path=f"odd.{kind}")
        assert Path(result["output"]).stat().st_size > 0
    text = generate_report(records=records, output_path="odd.md")["markdown"]
    assert row(section(text, "5. Activities"), "odd")[1:3] == ["2", "ERROR 1, UNKNOWN 1"]
    assert row(section(text, "5. Activities"), "(no activity_id)")[1] == "1"


@pytest.mark.usefixtures("pipeline")
def test_the_card_of_a_workflow_in_each_store() -> None:
    run = run_sample()
    text = Flowcept.generate_report(workflow_id=run.current_workflow_id)["markdown"]
    assert "through tasks: train ×1, load ×1" in section(text, "8. Lineage")
    assert row(section(text, "5. Activities"), "epochs_iteration")[1] == "3"
