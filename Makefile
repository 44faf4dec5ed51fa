# provgraph — every target works on a fresh machine: it builds its own virtual environment.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: demo test unit lint services services-down system-packages bench bench-setup bench-setup-workflow clean venv

venv: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

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

# System packages the tests need besides the services (pdftoppm for the PDF report).
system-packages:
	bash scripts/system-packages.sh

unit: $(STAMP) system-packages
	$(VENV)/bin/pytest -m "not integration"

test: $(STAMP) lint services system-packages
	$(VENV)/bin/pytest

bench: $(STAMP)
	$(PY) benchmarks/capture_overhead.py

# A side environment with Flowcept 1.0.3, the reference the capture benchmark compares to.
bench-setup:
	PYTHON=$(PYTHON) bash benchmarks/setup_reference.sh

# A side environment with Formed 0.0.13, the reference of benchmarks/workflow_cache.py.
bench-setup-workflow:
	PYTHON=$(PYTHON) bash benchmarks/setup_formed_reference.sh

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
