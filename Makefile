# The two commands of README.md. Each does its own set-up (scripts/setup.sh).
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: setup demo test bench lint

setup:
	@./scripts/setup.sh

## Runs the main job end to end: a real Prometheus on generated soak history, evaluated.
demo: setup
	$(BIN)/gacheck demo --output-dir demo-output

## Runs the whole test suite (starts its own Prometheus, HTTP servers, git repositories).
test: setup
	$(BIN)/python -m pytest -q

bench: setup
	$(BIN)/python bench/run_all.py

lint: setup
	$(BIN)/ruff check gacheck tests bench
