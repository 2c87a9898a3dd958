# The two commands a fresh machine needs: `make demo` runs the product, `make test` passes the tests.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: demo test check lock mypy-baseline install install-test browser nginx node clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# The demo starts the sandbox: install it too (`.[test]` includes it).
install: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[sandbox]'

install-test: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'

# Debian's chromium for the browser tests (Playwright cannot download its own browser here).
browser:
	@bash scripts/ensure-chromium

# Debian's nginx for the tests that run `dxconnector web` behind a TLS proxy (they start it on a port of their own).
nginx:
	@bash scripts/ensure-nginx

# Debian's nodejs and npm for the test that runs the official Xero Node SDK against the sandbox installed alone.
node:
	@bash scripts/ensure-node

demo: install
	$(BIN)/dxconnector demo $(DEMO_ARGS)

test: install-test browser nginx node
	$(BIN)/pytest $(PYTEST_ARGS)

# The static checks CI runs before the tests: lint and format (ruff), types (mypy, strict; the domain, the sync and
# the connections layer without any error, the rest held to mypy-baseline.txt), the layers (import-linter), and
# requirements.lock matching pyproject.toml (asks PyPI's index).
STRICT_PACKAGES := src/dxconnector/(domain|sync|connections)/
check: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy | $(BIN)/mypy-baseline filter
	@! grep -E '^$(STRICT_PACKAGES)' mypy-baseline.txt || (echo "the packages above must have no mypy error" >&2; exit 1)
	$(BIN)/lint-imports
	bash scripts/lock --check

# After changing pyproject.toml's dependencies: write requirements.lock again (the hashed lock deployments install).
lock: install-test
	bash scripts/lock

# After fixing recorded mypy errors: record what is left (the baseline may only shrink).
mypy-baseline: install-test
	$(BIN)/mypy | $(BIN)/mypy-baseline sync

clean:
	rm -rf $(VENV) data test-artifacts .pytest_cache .mypy_cache .ruff_cache .import_linter_cache
