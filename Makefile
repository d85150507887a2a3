# unitrace — the two commands a fresh machine needs are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run tour test lint typecheck pytest bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

## axe-core (from the npm registry) checks the console's pages for accessibility in the browser
## tests; without npm those checks are skipped (and fail in CI)
AXE := .cache/npm/node_modules/axe-core/axe.min.js
$(AXE):
	@if command -v npm >/dev/null; then \
	  npm install --silent --prefix .cache/npm --no-audit --no-fund --no-save axe-core@4.14.1; \
	else echo "npm not found: the console's accessibility checks will be skipped"; fi

PORT ?= 8000

## run: install, create or migrate the SQLite database with demo data, print its admin token
## (one, new each run: the last run's is revoked) and the URLs to open, and start the service
## The codes the demo and the service hand out (Digital Links, QR Codes) point at the service
## make run starts, so that a demo label opens this service's resolver.
run: export UNITRACE_RESOLVER_BASE ?= http://127.0.0.1:$(PORT)
run: $(STAMP)
	$(BIN)/unitrace demo --url http://127.0.0.1:$(PORT)
	$(BIN)/unitrace serve --port $(PORT)

## tour: a walk through the code commands (parse, render, read, EPC, label sheets) into out/
tour: $(STAMP)
	$(BIN)/python -m unitrace.tour

## test: install, then lint, type-check and run the whole test suite
test: $(STAMP) lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests bench migrations scripts
	$(BIN)/ruff format --check src tests bench migrations scripts

typecheck: $(STAMP)
	$(BIN)/mypy

## pytest: the test suite, on every core (PYTEST_WORKERS=0 runs it in one process);
## PYTEST_ARGS adds pytest's own options (a -n there wins over PYTEST_WORKERS)
PYTEST_WORKERS ?= auto
pytest: $(STAMP) $(AXE)
	$(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

## bench: run the benchmarks and print their figures
bench: $(STAMP)
	@for b in bench/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) .cache .mypy_cache .ruff_cache .pytest_cache .hypothesis out unitrace.db unitrace.db-* unitrace.db-writer
