# Every target sets up .venv first: `run` installs only what the app needs (a fresh clone opens
# in seconds), `test`, `lint`, `bench` add the development extras. Each set is installed once,
# and again when pyproject.toml changes (one stamp per set).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.stamp-run
DEV_STAMP := $(VENV)/.stamp-dev
PIP := $(BIN)/python -m pip install --quiet --disable-pip-version-check

.PHONY: run test check lint bench snapshots gazetteer clean pg-server browser

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(PIP) -e .
	touch $@

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(PIP) -e '.[dev]'
	touch $@ $(RUN_STAMP)

run: $(RUN_STAMP)
	$(BIN)/annotty $(ARGS)

# The README's test command (CI runs it): the fast checks first, then the tests, two workers per
# core: a Pilot test waits on its event loop about half the time, so one worker per core leaves
# the cores idle (2 min 20 s against 2 min 50 s on 2 cores). PYTEST_ARGS="-n 0" runs serially.
# While mypy runs (on one core), a collection-only pytest on the other compiles the tests and
# the packages once and keeps their bytecode, so the workers and the `annotty` processes tests
# start load it instead of each compiling them from source (20 to 30 s of CPU in all). The test
# target clears PYTHONDONTWRITEBYTECODE, which some environments set (__pycache__ is ignored).
TEST_WORKERS ?= $(shell echo $$(( 2 * $$(nproc 2>/dev/null || echo 1) )))
test: export PYTHONDONTWRITEBYTECODE =
test: $(DEV_STAMP) pg-server browser
	$(BIN)/ruff check annotations tui tests bench
	$(BIN)/ruff format --check annotations tui tests bench
	@$(BIN)/python -m pytest --collect-only -q -n 0 -p no:cacheprovider >/dev/null 2>&1 & \
	  echo "$(BIN)/mypy"; $(BIN)/mypy; status=$$?; wait; exit $$status
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

# The PostgreSQL tests and benches start a throwaway server from Debian's server binaries
# (tests/pg_cluster.py): installed here when missing and we may (root with apt-get), else one
# line says how; the tests that need it then fail with that line (never skip silently).
pg-server:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || [ -n "$$ANNOTTY_PG_BIN" ] || \
	  { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y -qq --no-install-recommends postgresql >/dev/null; } || \
	  echo "annotty: no PostgreSQL server binaries: sudo apt-get install postgresql" >&2

# The browser tests (tests/browser.py) drive Debian's Chromium headless through Playwright, which
# never downloads a browser: installed here when missing and we may, else one line says how.
browser:
	@command -v chromium >/dev/null 2>&1 || [ -n "$$ANNOTTY_CHROMIUM" ] || \
	  { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y -qq --no-install-recommends chromium >/dev/null; } || \
	  echo "annotty: no Chromium for the browser tests: sudo apt-get install chromium" >&2

lint: $(DEV_STAMP)
	$(BIN)/ruff check annotations tui tests bench
	$(BIN)/ruff format --check annotations tui tests bench
	$(BIN)/mypy

check: lint test

bench: $(DEV_STAMP) pg-server browser
	$(BIN)/python -m bench $(BENCH_ARGS)

snapshots: $(DEV_STAMP)
	$(BIN)/python -m pytest tests --snapshot-update -k snapshot

# Rebuild the compact gazetteer from the data packages (after bumping one of them).
gazetteer: $(DEV_STAMP)
	$(BIN)/python -m annotations.entities.data.build
	$(BIN)/python -m annotations.entities.data.build_first_names

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
