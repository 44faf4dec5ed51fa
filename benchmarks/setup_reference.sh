#!/usr/bin/env bash
# Create .bench-venv: a side virtual environment with the real Flowcept 1.0.3, the
# reference that benchmarks/capture_overhead.py compares provgraph's capture with.
# Flowcept runs there in offline mode (no Redis, no MongoDB), so nothing else is needed.
# Usage: bash benchmarks/setup_reference.sh   (or: make bench-setup)
set -euo pipefail

cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
VENV="${BENCH_VENV:-.bench-venv}"

if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c 'import flowcept, sys; sys.exit(flowcept.__version__ != "1.0.3")' 2>/dev/null; then
    echo "$VENV already has flowcept 1.0.3"
    exit 0
fi

"$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet "flowcept==1.0.3"
"$VENV/bin/python" -c 'import flowcept; print("flowcept", flowcept.__version__, "installed in '"$VENV"'")'
