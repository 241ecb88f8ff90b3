#!/usr/bin/env bash
# README's second command: set up (scripts/setup.sh), then run the whole test suite (it starts
# its own Prometheus, Pushgateway, HTTP servers and git repositories). `make test` does the same;
# CI (.ci/run) runs this script. Extra arguments go to pytest.
#
# The suite runs on GACHECK_TEST_WORKERS pytest-xdist workers (default WORKERS below);
# `--dist loadgroup` keeps the tests that read one lab scenario on one worker, which starts
# that Prometheus once (tests/prometheus/conftest.py). GACHECK_TEST_WORKERS=0 runs in one process.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
WORKERS=3
exec "${VENV:-.venv}/bin/python" -m pytest -q -n "${GACHECK_TEST_WORKERS:-$WORKERS}" \
  --dist loadgroup "$@"
