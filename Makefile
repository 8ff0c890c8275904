# kyodo — two commands do all set-up: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint format typecheck pytest bench schema clean install

install: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "kyodo needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

## run: migrate, load the demo data when the database is empty, serve on http://127.0.0.1:8000/graphql
run: install
	$(BIN)/kyodo db upgrade
	$(BIN)/kyodo seed --if-empty
	$(BIN)/kyodo serve

## test: lint, type-check and the whole suite (SQLite and PostgreSQL)
test: install lint typecheck pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

typecheck: install
	$(BIN)/mypy domain/

pytest: install
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python -m benchmarks.run

schema: install
	$(BIN)/kyodo schema export

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache kyodo.db
