# Shortcuts for README's two commands, ./scripts/demo.sh and ./scripts/test.sh (each does its
# own set-up through scripts/setup.sh), and for the benchmarks and the linter.
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: setup demo test bench lint

setup:
	@./scripts/setup.sh

## Runs the main job end to end: a real Prometheus on generated soak history, evaluated.
demo:
	@VENV=$(VENV) ./scripts/demo.sh

## Runs the whole test suite (starts its own Prometheus, HTTP servers, git repositories).
test:
	@VENV=$(VENV) ./scripts/test.sh

bench: setup
	$(BIN)/python bench/run_all.py

lint: setup
	$(BIN)/ruff check gacheck tests bench
