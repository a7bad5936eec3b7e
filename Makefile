# Two commands do all the set-up: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin

SUDO = $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test lint check validate clean chromium

$(BIN)/modelatlas: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --editable .
	touch $@

$(VENV)/.dev: $(BIN)/modelatlas
	$(BIN)/pip install --quiet --editable '.[dev]'
	touch $@

## run: build the store from the bundled catalog and serve the dashboard on http://127.0.0.1:8000/
run: $(BIN)/modelatlas
	$(BIN)/modelatlas build
	$(BIN)/modelatlas serve

## lint: ruff and mypy
lint: $(VENV)/.dev
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts
	$(BIN)/mypy src

## validate: check the bundled catalog against its schema
validate: $(BIN)/modelatlas
	$(BIN)/modelatlas validate

## check: consistency checks over the bundled catalog (dates, sizes, links, licences, text); fails on errors
check: $(BIN)/modelatlas
	$(BIN)/modelatlas check --fail-on error --show error

## chromium: Debian's Chromium for the browser tests, installed once (as root, or through sudo)
chromium:
	@command -v chromium >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; }

## test: lint, validate and check the catalog, run the whole suite (it starts its own PostgreSQL and Chromium)
test: lint validate check chromium
	$(BIN)/pytest

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
