# Two commands do all the set-up: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin

.PHONY: run test lint check validate clean

$(BIN)/modelatlas: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --editable .
	touch $@

$(VENV)/.dev: $(BIN)/modelatlas
	$(BIN)/pip install --quiet --editable '.[dev]'
	touch $@

## run: build the store from the bundled catalog and print the overview
run: $(BIN)/modelatlas
	$(BIN)/modelatlas build
	$(BIN)/modelatlas overview

## lint: ruff and mypy
lint: $(VENV)/.dev
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy src

## validate: check the bundled catalog
validate: $(BIN)/modelatlas
	$(BIN)/modelatlas validate

## test: lint, validate the catalog, run the whole suite (it starts its own PostgreSQL)
test: lint validate
	$(BIN)/pytest

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
