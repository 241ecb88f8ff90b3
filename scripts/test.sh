#!/usr/bin/env bash
# README's second command: set up (scripts/setup.sh), then check the architecture's import
# contracts (lint-imports, docs/architecture.md) and the types (mypy), then run the whole test
# suite (it starts its own Prometheus, Pushgateway, HTTP servers and git repositories).
# `make test` does the same; CI (.ci/run) runs this script. Extra arguments go to pytest.
#
# The suite runs on GACHECK_TEST_WORKERS pytest-xdist workers (default WORKERS below);
# `--dist loadgroup` keeps the tests that read one lab scenario on one worker, which starts
# that Prometheus once (tests/prometheus/conftest.py). GACHECK_TEST_WORKERS=0 runs in one process.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
PY="${VENV:-.venv}/bin"
echo "test: import contracts (lint-imports)"
log=$(mktemp)
"$PY/lint-imports" --no-cache >"$log" 2>&1 || { cat "$log"; rm -f "$log"; exit 1; }
rm -f "$log"
echo "test: types (mypy gacheck)"
"$PY/mypy"
WORKERS=4
exec "$PY/python" -m pytest -q -n "${GACHECK_TEST_WORKERS:-$WORKERS}" --dist loadgroup "$@"
