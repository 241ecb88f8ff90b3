#!/usr/bin/env bash
# README's second command: set up (scripts/setup.sh), then run the whole test suite (it starts
# its own Prometheus, Pushgateway, HTTP servers and git repositories). `make test` does the same;
# CI (.ci/run) runs this script. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
exec "${VENV:-.venv}/bin/python" -m pytest -q "$@"
