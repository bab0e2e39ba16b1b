# The verbs a newcomer looks for. `make run` and `make test` are the README's two commands.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-browser test-bench-smoke lint format bench bench-smoke frontend clean

$(VENV)/.installed: pyproject.toml constraints.txt
	@scripts/system-packages.sh run
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt ".[dev]"
	@touch $@

## run: install, migrate SQLite, load the framework and demo data, and serve on :8000
run: export SITE_URL ?= http://$(HOST):$(PORT)
run: $(VENV)/.installed
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py load_framework
	$(BIN)/python manage.py load_demo
	@echo ""
	@echo "  LPC 360 is running: open http://$(HOST):$(PORT)/ (sign-ins for each role are above)."
	@echo ""
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

## test: the whole suite, random order, on 2 processes (set DATABASE_URL for PostgreSQL, as CI does)
test: $(VENV)/.installed
	@scripts/system-packages.sh test
	$(BIN)/pytest -n 2

## test-browser: only the Playwright/Chromium journeys and accessibility checks
test-browser: $(VENV)/.installed
	@scripts/system-packages.sh test
	$(BIN)/pytest -m browser

## lint: ruff lint and format check, the apps' one-way imports (import-linter), and mypy
lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy

format: $(VENV)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## bench: the benchmark suite on PostgreSQL + Redis (docs/performance.md); bench-smoke: tiny sizes
bench: $(VENV)/.installed
	$(BIN)/python -m bench.run

bench-smoke: $(VENV)/.installed
	$(BIN)/python -m bench.run --smoke

## test-bench-smoke: the test that runs the smoke benchmark (not in make test; CI runs it)
test-bench-smoke: $(VENV)/.installed
	$(BIN)/pytest -m bench -p no:randomly

## frontend: rebuild the committed NHS.UK CSS/JS in static/ (needs npm)
frontend:
	frontend/build.sh

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
