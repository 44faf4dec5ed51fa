#!/usr/bin/env bash
# Create .bench-venv-formed: a side virtual environment with Formed 0.0.13, the reference
# that benchmarks/workflow_cache.py compares provgraph's cached steps with. Formed 0.0.13
# imports numpy without declaring it, so numpy is installed beside it.
# Usage: bash benchmarks/setup_formed_reference.sh   (or: make bench-setup-workflow)
set -euo pipefail

cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
VENV="${FORMED_BENCH_VENV:-.bench-venv-formed}"

if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c 'import importlib.metadata as m, sys; sys.exit(m.version("formed") != "0.0.13")' 2>/dev/null; then
    echo "$VENV already has formed 0.0.13"
    exit 0
fi

"$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet "formed==0.0.13" numpy
"$VENV/bin/python" -c 'import importlib.metadata as m; print("formed", m.version("formed"), "installed in '"$VENV"'")'
