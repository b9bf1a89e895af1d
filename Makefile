# Two entry points: `make demo` (the sandbox into DuckDB) and `make test` (the whole suite).
# Both create or refresh .venv with uv and install the four packages editable; both are idempotent.
# .venv gets ads-kit with every extra (the sandbox and the report: the demo and the tests use both);
# a tap installed on its own (meltano.yml's pip_url) gets only the ads-kit core.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV := $(BIN)/uv
PACKAGES := -e './shared[all]' -e ./tap-meta-ads -e ./tap-google-ads-unified -e ./tap-tiktok-ads -e ./orchestration
STAMP := $(VENV)/.installed
export MELTANO_SEND_ANONYMOUS_USAGE_STATS := false
export MELTANO_HUB_URL := http://127.0.0.1:9
# PYTHONDONTWRITEBYTECODE may be set: compile at install time or every import stays cold.
export UV_COMPILE_BYTECODE := 1

.PHONY: install demo test lint bench clean

$(UV):
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check uv

$(STAMP): $(UV) shared/pyproject.toml tap-meta-ads/pyproject.toml tap-google-ads-unified/pyproject.toml tap-tiktok-ads/pyproject.toml orchestration/pyproject.toml requirements-dev.txt
	VIRTUAL_ENV=$(VENV) $(UV) pip install --quiet --compile-bytecode $(PACKAGES) -r requirements-dev.txt
	touch $(STAMP)

# output/ holds the DuckDB warehouse meltano.yml's target-duckdb writes (it does not create the folder).
install: $(STAMP)
	@mkdir -p output

demo: install
	$(BIN)/python -m ads_kit.demo

test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .meltano output
