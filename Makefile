# provgraph — every target works on a fresh machine: it builds its own virtual environment.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: demo test unit lint services services-down system-packages bench bench-setup bench-setup-workflow clean venv js

venv: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The HTML view's JavaScript (cytoscape, cytoscape-dagre) from npm, pinned by the lock file;
# git-ignored. A wheel carries them as package data (setup.py).
JS_DIR   := exports/views/js
JS_STAMP := $(JS_DIR)/node_modules/.provgraph-installed

js: $(JS_STAMP)

$(JS_STAMP): $(JS_DIR)/package.json $(JS_DIR)/package-lock.json
	@command -v npm >/dev/null 2>&1 || bash scripts/system-packages.sh
	cd $(JS_DIR) && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	touch $(JS_STAMP)

demo: $(STAMP)
	$(VENV)/bin/provgraph demo

# ruff, mypy, and the import contracts of the layers (pyproject.toml, docs/architecture.md).
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

services: $(STAMP)
	$(VENV)/bin/provgraph services up

services-down: $(STAMP)
	$(VENV)/bin/provgraph services down

# System packages the tests need besides the services (pdftoppm for the PDF report;
# Chromium, Graphviz, npm and fonts for the views).
system-packages:
	bash scripts/system-packages.sh

unit: $(STAMP) system-packages js
	$(VENV)/bin/pytest -m "not integration"

test: $(STAMP) lint services system-packages js
	$(VENV)/bin/pytest

bench: $(STAMP) js
	$(PY) benchmarks/capture_overhead.py
	$(PY) benchmarks/lineage_queries.py

# A side environment with Flowcept 1.0.3, the reference the capture benchmark compares to.
bench-setup:
	PYTHON=$(PYTHON) bash benchmarks/setup_reference.sh

# A side environment with Formed 0.0.13, the reference of benchmarks/workflow_cache.py.
bench-setup-workflow:
	PYTHON=$(PYTHON) bash benchmarks/setup_reference.sh $${FORMED_BENCH_VENV:-.bench-venv-formed} formed 0.0.13 numpy

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
