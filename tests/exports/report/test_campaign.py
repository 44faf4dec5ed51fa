"""The campaign card: the workflows of a campaign side by side."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from capture import Flowcept
from provgraph.core.config import Settings
from tests.exports.report.sample import run_sample
from tests.exports.report.test_card import row, section


def test_campaign_card_shows_workflows_and_the_parameters_that_differ(settings: Settings
                                                                      ) -> None:
    first = run_sample("lr_small", campaign_id="sweep-1", lr=0.01)
    second = run_sample("lr_large", campaign_id="sweep-1", lr=0.5, fail=False)
    run_sample("elsewhere", campaign_id="other")
    result = Flowcept.generate_report(campaign_id="sweep-1")
    assert result["output"] == "CAMPAIGN_CARD.md"
    assert result["workflows"] == [first.current_workflow_id, second.current_workflow_id]
    text = Path("CAMPAIGN_CARD.md").read_text()
    assert text.startswith("# Campaign card: sweep-1\n")
    workflows = section(text, "Workflows")
    assert row(workflows, "lr_small")[2] == "FINISHED" and row(workflows, "lr_small")[6] == "2"
    assert row(workflows, "lr_large")[6] == "0"
    assert "elsewhere" not in text
    differ = section(text, "Parameters that differ")
    header = row(differ, "Workflow")
    assert "args.lr" in header and "train.lr" in header
    assert "args.epochs" not in header  # the same in both runs
    assert row(differ, "lr_small")[header.index("args.lr")] == "`0.01`"
    assert row(differ, "lr_large")[header.index("args.lr")] == "`0.5`"
    assert row(section(text, "Activities per workflow"), "lr_large")[0] == "lr_large"


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="make system-packages")
def test_campaign_report_pdf(settings: Settings) -> None:
    import subprocess

    run_sample("a", campaign_id="c2")
    run_sample("b", campaign_id="c2", lr=0.3)
    result = Flowcept.generate_report(report_type="provenance_report", campaign_id="c2")
    text = subprocess.run(["pdftotext", "-layout", result["output"], "-"], check=True,
                          capture_output=True, text=True).stdout
    assert result["output"] == "CAMPAIGN_REPORT.pdf"
    assert "Duration per workflow" in text and "Parameters that differ" in text
