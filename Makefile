# Two commands for a fresh machine: `make demo` and `make test`.
SHELL := /bin/bash
UV ?= $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
PYTHON ?= python3
PG_URL ?= postgres://postgres@127.0.0.1:5432/arrears
DEMO_ACCOUNTS ?= 2000
# Eight months: enough for charge-offs at 180 DPD and recoveries after them.
DEMO_MONTHS ?= 8
DEMO_SEED ?= 42
DEMO_ADDR ?= 127.0.0.1:8000
RUN := $(UV) run --frozen

.PHONY: demo test test-sqlite test-postgres lint env serve bench

$(UV):
	@echo "uv not found: installing it from PyPI"
	$(PYTHON) -m pip install --user --quiet uv || $(PYTHON) -m pip install --quiet --break-system-packages uv

env: $(UV)
	$(UV) sync --frozen --quiet
	@mkdir -p var

# Demo mode: plain HTTP on this machine and a random secret key kept in var/secret_key (a server
# refuses to start without ARREARS_SECRET_KEY otherwise); --insecure serves the admin's static files.
demo serve: export ARREARS_DEMO ?= 1

# The system checks run once, when the server starts (each run imports every page and API module);
# the demo's server does not watch the code for changes (a watcher starts the whole site twice).
demo: env
	@mkdir -p var  # the SQLite database lives there
	$(RUN) arrears migrate --verbosity 0 --skip-checks
	$(RUN) arrears demo --skip-checks --accounts $(DEMO_ACCOUNTS) --months $(DEMO_MONTHS) --seed $(DEMO_SEED)
	$(RUN) arrears runserver --insecure --noreload $(DEMO_ADDR)

serve: env
	$(RUN) arrears runserver --insecure 127.0.0.1:8000

# Every database test runs twice: on SQLite and on PostgreSQL (which must be reachable: no skipping).
test: env test-sqlite test-postgres

test-sqlite:
	DATABASE_URL=sqlite:///$(CURDIR)/var/test.sqlite3 ARREARS_EXPECT_DB=sqlite $(RUN) pytest -n 2 $(PYTEST_ARGS)

test-postgres:
	DATABASE_URL=$(PG_URL) ARREARS_EXPECT_DB=postgresql $(RUN) pytest -n 2 $(PYTEST_ARGS)

lint: env
	$(RUN) ruff check src tests benchmarks scripts
	$(RUN) ruff format --check src tests benchmarks scripts
	$(RUN) mypy src
	$(RUN) lint-imports

# Every benchmark at its goal size, one after the other, on a quiet machine (see benchmarks/all.py).
bench: env
	$(RUN) python benchmarks/all.py $(BENCH_ARGS)
