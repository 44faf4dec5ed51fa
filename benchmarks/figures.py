"""Writing a benchmark's figures as JSON, with the same envelope for every benchmark
(standard library only: ``flowcept_reference.py`` runs beside it in a side environment)."""

from __future__ import annotations

import argparse
import json
import os
import platform
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

SMOKE_HELP = ("tiny counts, one round, no reference environment: a few seconds, to check the "
              "script still runs and prints its figures (make test runs it)")


def add_smoke(parser: argparse.ArgumentParser) -> None:
    """``--smoke``: see :data:`SMOKE_HELP`; :func:`apply_smoke` sets the sizes."""
    parser.add_argument("--smoke", action="store_true", help=SMOKE_HELP)


def apply_smoke(args: argparse.Namespace, **small: Any) -> argparse.Namespace:
    """With ``--smoke``, replace the options named in ``small`` by those tiny values."""
    if getattr(args, "smoke", False):
        for name, value in small.items():
            setattr(args, name, value)
    return args


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
