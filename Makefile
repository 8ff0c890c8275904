# kyodo — two commands do all set-up: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

# `make run PORT=8001 HOST=0.0.0.0` overrides KYODO_PORT / KYODO_HOST for that run.
PORT ?=
HOST ?=
SERVE_ARGS := $(strip $(if $(PORT),--port $(PORT)) $(if $(HOST),--host $(HOST)))

.PHONY: run test lint format typecheck pytest bench schema clean install graphiql node-tools

install: $(STAMP) graphiql

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "kyodo needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,otel]'
	@touch $(STAMP)

# GraphiQL's files (pinned, hash-checked) from the npm registry, once: afterwards GraphiQL
# works without internet access. Does nothing when they are in place.
graphiql: $(STAMP)
	@$(BIN)/python -m kyodo.server.graphiql_assets

## run: migrate, load the demo data when the database is empty, serve on http://127.0.0.1:8000/graphql
run: install
	$(BIN)/kyodo db upgrade
	$(BIN)/kyodo seed --if-empty
	$(BIN)/kyodo serve $(SERVE_ARGS)

# Node tools of the test suite (the GraphQL over HTTP audit, relay-compiler), pinned in
# package-lock.json. Without npm their tests are skipped (in CI they fail).
node-tools: node_modules/.package-lock.json

node_modules/.package-lock.json: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: the GraphQL over HTTP audit and Relay compile tests will be skipped"; fi

## test: lint, type-check and the whole suite (SQLite and PostgreSQL)
test: install lint typecheck pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

typecheck: install
	$(BIN)/mypy -p kyodo.domain

pytest: install node-tools
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python -m benchmarks.run

schema: install
	$(BIN)/kyodo schema export

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache kyodo.db node_modules server/static/graphiql
