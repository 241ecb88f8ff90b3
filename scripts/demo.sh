#!/usr/bin/env bash
# README's first command: set up (scripts/setup.sh), then run the demo: a real Prometheus on
# generated soak history, evaluated, audits written to demo-output/. Needs only bash, Python 3.11
# and apt (Debian); `make demo` does the same.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
exec "${VENV:-.venv}/bin/gacheck" demo --output-dir demo-output "$@"
