# Caselink: `make run` to use it, `make test` to check it. Both install what they need first.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY_STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
BENCH_ARGS ?=

.PHONY: run test lint typecheck unit bench install clean help

help:
	@echo "make run    - install, start the embedded PostgreSQL, migrate, load data and serve on http://127.0.0.1:8000"
	@echo "make test   - install, then lint, type-check and run the whole test suite"
	@echo "make bench  - load-test a running (or started) server and print a table of figures (BENCH_ARGS=\"--users 200\")"

install: $(PY_STAMP) $(NODE_STAMP)

$(PY_STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null || \
	  { echo "Caselink needs Python 3.11 or newer as '$(PYTHON)'; install it or run make PYTHON=/path/to/python3.11."; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || \
	  { echo "Could not create a virtual environment; install Python's venv module (Debian: apt-get install python3-venv)."; exit 1; }
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

$(NODE_STAMP): package.json package-lock.json
	@command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || \
	  { echo "Caselink needs Node.js and npm to install its front-end assets and standing data; install them (Debian: apt-get install nodejs npm) and run make again."; exit 1; }
	@# The lock records only the optional per-platform packages the registry serves (see
	@# docs/decisions/0040-npm-lock-optional-bindings.md), so npm ci installs exactly what is locked.
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $@

run: install
	@$(BIN)/caselink run

lint: install
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests

typecheck: install
	$(BIN)/mypy

unit: install
	$(BIN)/pytest

test: lint typecheck unit

bench: install
	@$(BIN)/caselink bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules .pytest_cache .mypy_cache .ruff_cache
