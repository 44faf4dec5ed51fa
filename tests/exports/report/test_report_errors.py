"""Bad input: one-line errors that say what was looked for and where, of the documented
types (ValueError for a bad mode, type or format; FileNotFoundError for a missing file)."""

from __future__ import annotations

from pathlib import Path

import pytest

from capture import Flowcept
from exports.report.service import generate_report
from provgraph.core.config import Settings
from provgraph.core.errors import ProvgraphError
from tests.exports.report.sample import run_sample


def one_line(exc: BaseException) -> str:
    text = str(exc)
    assert "\n" not in text and isinstance(exc, ProvgraphError)
    return text


def test_a_workflow_that_does_not_exist(settings: Settings) -> None:
    run_sample(fail=False)
    with pytest.raises(ValueError) as caught:
        Flowcept.generate_report(workflow_id="no-such-workflow")
    assert one_line(caught.value) == (
        f"workflow 'no-such-workflow' not found in the embedded store at "
        f"{settings.embedded_store_dir}")


def test_a_campaign_that_does_not_exist(settings: Settings) -> None:
    run_sample(fail=False)
    with pytest.raises(ValueError, match="no workflow of campaign 'nope' in the embedded"):
        generate_report(campaign_id="nope")


def test_an_empty_jsonl_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n\n")
    with pytest.raises(ValueError) as caught:
        generate_report(input_jsonl_path=str(empty))
    assert one_line(caught.value) == (
        f"{empty} is empty: no records; expected workflow and task records")
    garbage = tmp_path / "garbage.jsonl"
    garbage.write_text("not json\n[1, 2]\n")
    with pytest.raises(ValueError, match="2 lines that are not JSON objects"):
        generate_report(input_jsonl_path=garbage)


def test_records_without_tasks() -> None:
    with pytest.raises(ValueError) as caught:
        generate_report(records=[{"type": "workflow", "workflow_id": "w1"}])
    assert one_line(caught.value) == (
        "no task records in the records given (1 records read, none of type 'task')")
    with pytest.raises(ValueError, match=r"records\[1\] must be a dict, got str"):
        generate_report(records=[{"type": "task"}, "task"])
    with pytest.raises(ValueError, match="records is empty"):
        generate_report(records=[])


def test_a_missing_jsonl_file(tmp_path: Path, settings: Settings) -> None:
    with pytest.raises(FileNotFoundError) as caught:
        generate_report(input_jsonl_path=str(tmp_path / "nope.jsonl"))
    assert one_line(caught.value) == f"JSONL file {tmp_path / 'nope.jsonl'} does not exist"
    with pytest.raises(FileNotFoundError, match="that is the default buffer file"):
        Flowcept.generate_report()


def test_bad_mode_type_and_format(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="exactly one input mode, not input_jsonl_path and "
                                         "records"):
        generate_report(input_jsonl_path="x.jsonl", records=[])
    with pytest.raises(ValueError, match="not records and workflow_id/campaign_id"):
        generate_report(records=[], workflow_id="w")
    with pytest.raises(ValueError, match="workflow_id or campaign_id, not both"):
        generate_report(workflow_id="w", campaign_id="c")
    with pytest.raises(ValueError, match="report_type must be provenance_card or "
                                         "provenance_report, got 'card'"):
        generate_report(report_type="card", records=[{"type": "task"}])
    with pytest.raises(ValueError, match="provenance_report supports only the pdf format"):
        generate_report(report_type="provenance_report", format="markdown", records=[])
    with pytest.raises(ValueError, match="format must be markdown or pdf, got 'html'"):
        Flowcept.generate_report(format="html", records=[{"type": "task"}])
    # Flowcept 1.0.3's own name for the card is accepted
    result = generate_report(report_type="workflow_card", records=[{"type": "task"}],
                             output_path=tmp_path)
    assert result["report_type"] == "provenance_card"
    assert result["output"] == str(tmp_path / "PROVENANCE_CARD.md")
