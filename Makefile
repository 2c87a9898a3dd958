# The two commands a fresh machine needs: `make demo` runs the product, `make test` passes the tests.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: demo test install install-test browser clean

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

demo: install
	$(BIN)/dxconnector demo $(DEMO_ARGS)

test: install-test browser
	$(BIN)/pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) data test-artifacts .pytest_cache
