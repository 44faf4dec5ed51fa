"""The provenance report (PDF): rendered to PNG with pdftoppm and checked for what its
pages draw (text with pdftotext, ink on every page)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from capture import Flowcept
from exports.report.service import generate_report
from provgraph.core.config import Settings
from tests.exports.report.sample import run_sample

pytestmark = pytest.mark.skipif(shutil.which("pdftoppm") is None,
                                reason="pdftoppm (poppler-utils): make system-packages")


def pages_as_png(pdf: Path, out: Path) -> list[Path]:
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(out / "page")], check=True)
    return sorted(out.glob("page-*.png"))


def ink(png: Path) -> float:
    """The share of a page's pixels that are not white."""
    import matplotlib.image

    pixels = matplotlib.image.imread(str(png))[..., :3]
    return float((pixels.min(axis=2) < 0.9).mean())


def pdf_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout


def test_the_report_draws_every_section_and_plot(settings: Settings, tmp_path: Path) -> None:
    run = run_sample()
    result = Flowcept.generate_report(report_type="provenance_report", format="pdf",
                                      workflow_id=run.current_workflow_id)
    pdf = Path(result["output"])
    assert pdf.name == "PROVENANCE_REPORT.pdf" and pdf.read_bytes().startswith(b"%PDF")
    pngs = pages_as_png(pdf, tmp_path)
    assert len(pngs) == result["pages"] >= 3
    assert all(ink(p) > 0.01 for p in pngs)  # no blank page
    text = pdf_text(pdf)
    for heading in ("Summary", "Activities", "Timeline", "Durations per activity",
                    "Resources", "Dependencies between activities",
                    "Lineage of the final outputs", "Failed tasks and what they affected",
                    "Artifacts", "About this report"):
        assert heading in text, heading
    assert "upload refused: quota exceeded" in text
    assert "seconds since the first task started" in text  # the timeline's and the CPU plot's axis
    assert "% of the machine" in text  # telemetry was captured: CPU and memory drawn
    assert "epochs_iteration (n=3)" in text


def test_a_report_without_telemetry_says_so(settings: Settings, tmp_path: Path) -> None:
    from capture import flowcept_task

    @flowcept_task
    def step(x: int) -> int:
        return x

    with Flowcept(workflow_name="plain"):
        for i in range(30):
            step(i)
    result = generate_report(report_type="provenance_report",
                             input_jsonl_path=str(settings.buffer_file))
    text = pdf_text(Path(result["output"]))
    assert "No telemetry was captured" in text
    assert "step (n=30)" in text
    assert len(pages_as_png(Path(result["output"]), tmp_path)) == result["pages"]
