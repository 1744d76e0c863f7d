# Every target sets up .venv first (once, and again when pyproject.toml changes).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test check lint bench snapshots clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/annotty $(ARGS)

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check annotations tui tests bench

check: lint test

bench: $(STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)

snapshots: $(STAMP)
	$(BIN)/python -m pytest tests --snapshot-update -k snapshot

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
