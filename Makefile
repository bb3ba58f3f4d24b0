# Two commands: `make run` serves the app, `make test` runs the tests. Both bootstrap .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
FLASK := $(BIN)/flask --app wsgi

.PHONY: run test migrate lint bench bench-load bench-faults clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(DEV_STAMP): setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP) $@

migrate: $(STAMP)
	$(FLASK) db upgrade

run: migrate
	exec $(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

test: $(DEV_STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(DEV_STAMP)
	$(BIN)/ruff check app tests bench

bench: $(DEV_STAMP)
	$(BIN)/python bench/social.py
	$(BIN)/python bench/create_variations.py

bench-load: $(STAMP)
	$(BIN)/python bench/load.py

bench-faults: $(DEV_STAMP)
	$(BIN)/python bench/faults.py

clean:
	rm -rf $(VENV) .pytest_cache
