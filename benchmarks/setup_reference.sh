#!/usr/bin/env bash
# Create a side virtual environment holding a reference that a benchmark compares
# provgraph with:
#   bash benchmarks/setup_reference.sh                     (make bench-setup)
#       .bench-venv with Flowcept 1.0.3, for benchmarks/capture_overhead.py; it runs
#       offline there (no Redis, no MongoDB), so nothing else is needed
#   bash benchmarks/setup_reference.sh .bench-venv-formed formed 0.0.13 numpy
#                                                          (make bench-setup-workflow)
#       Formed 0.0.13, for benchmarks/workflow_cache.py; it imports numpy without
#       declaring it, so numpy is installed beside it
# Arguments: VENV DIST VERSION [EXTRA PACKAGES...]
set -euo pipefail

cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
VENV="${1:-${BENCH_VENV:-.bench-venv}}"
DIST="${2:-flowcept}"
VERSION="${3:-1.0.3}"
shift $(( $# < 3 ? $# : 3 ))

installed() {
    "$VENV/bin/python" -c 'import importlib.metadata as m, sys; print(m.version(sys.argv[1]))' "$DIST"
}

if [ -x "$VENV/bin/python" ] && [ "$(installed 2>/dev/null)" = "$VERSION" ]; then
    echo "$VENV already has $DIST $VERSION"
    exit 0
fi

"$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet "$DIST==$VERSION" "$@"
echo "$DIST $(installed) installed in $VENV"
