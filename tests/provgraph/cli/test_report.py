"""``provgraph report``: the card, the PDF and bad input from the command line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from provgraph.core.config import Settings
from tests.exports.report.sample import run_sample


def provgraph(*args: str, cwd: Path, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PROVGRAPH_DATA_DIR": str(data_dir)}
    return subprocess.run([sys.executable, "-m", "provgraph.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def test_report_from_jsonl_and_from_the_store(settings: Settings, tmp_path: Path) -> None:
    run = run_sample()
    data = Path(settings.data_dir)
    done = provgraph("report", "--jsonl", str(settings.buffer_file), "-o", "card.md",
                     cwd=tmp_path, data_dir=data)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "card.md"
    assert "read 10 tasks of 1 workflow(s)" in done.stderr and "wrote card.md" in done.stderr
    assert (tmp_path / "card.md").read_text().startswith("# Provenance card: sample_pipeline")
    done = provgraph("report", "--workflow", run.current_workflow_id, "--type",
                     "provenance_report", cwd=tmp_path, data_dir=data)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "PROVENANCE_REPORT.pdf").read_bytes().startswith(b"%PDF")


def test_report_bad_input_is_one_line_and_status_2(settings: Settings, tmp_path: Path) -> None:
    run_sample(fail=False)
    data = Path(settings.data_dir)
    done = provgraph("report", "--workflow", "nope", cwd=tmp_path, data_dir=data)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1] == (
        f"provgraph report: workflow 'nope' not found in the embedded store at "
        f"{settings.embedded_store_dir}")
    done = provgraph("report", "--jsonl", "missing.jsonl", cwd=tmp_path, data_dir=data)
    assert done.returncode == 2
    assert done.stderr.strip() == "provgraph report: JSONL file missing.jsonl does not exist"
    done = provgraph("report", cwd=tmp_path, data_dir=data)
    assert done.returncode == 2 and "one of the arguments --workflow --campaign --jsonl" \
        in done.stderr
