"""Writing a benchmark's figures as JSON, with the same envelope for every benchmark
(standard library only: ``flowcept_reference.py`` runs beside it in a side environment)."""

from __future__ import annotations

import json
import os
import platform
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


def write_figures(path: Path, benchmark: str, runs: dict[str, Any], figures: dict[str, Any],
                  machine: dict[str, Any] | None = None) -> None:
    """``{benchmark, date, machine, **runs, **figures}`` into ``path`` (parents created)."""
    document = {
        "benchmark": benchmark,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            **(machine or {}),
        },
        **runs,
        **figures,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2) + "\n")
    print(f"figures written to {path}")
