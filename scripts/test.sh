#!/usr/bin/env bash
# README's second command: set up (scripts/setup.sh), then check the architecture's import
# contracts (lint-imports, docs/architecture.md) and the types (mypy), then run the whole test
# suite (it starts its own Prometheus, Pushgateway, HTTP servers and git repositories).
# `make test` does the same; CI (.ci/run) runs this script. Extra arguments go to pytest.
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
exec "$PY/python" -m pytest -q "$@"
