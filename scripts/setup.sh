#!/usr/bin/env bash
# Installs what gacheck's demo and tests need on a fresh Debian machine:
# Debian packages (prometheus, promtool, victoria-metrics, the Pushgateway, git, shellcheck,
# chromium, buildah and mmdebstrap for the image)
# and a virtual environment with gacheck in it.
# Safe to run again: it does only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "setup: need root (or sudo) to run: $*" >&2; exit 1; fi
}

apt_updated=""
apt_install() {
  if ! command -v apt-get >/dev/null; then
    echo "setup: please install these packages with your package manager: $*" >&2; exit 1
  fi
  [ -n "$apt_updated" ] || { as_root apt-get update -qq; apt_updated=1; }
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

missing=()
command -v prometheus >/dev/null || missing+=(prometheus)
command -v promtool >/dev/null || missing+=(prometheus)
command -v git >/dev/null || missing+=(git)
command -v victoria-metrics >/dev/null || missing+=(victoria-metrics)  # the backend tests
command -v vmalert >/dev/null || missing+=(victoria-metrics)           # (it ships vmalert)
command -v openssl >/dev/null || missing+=(openssl)  # self-signed certs for the TLS tests
command -v prometheus-pushgateway >/dev/null || missing+=(prometheus-pushgateway)  # metrics tests
command -v shellcheck >/dev/null || missing+=(shellcheck)  # actionlint checks run: steps with it
[ -x /usr/bin/chromium ] || missing+=(chromium)  # the dashboard's browser tests (Playwright drives it)
command -v buildah >/dev/null || missing+=(buildah)        # the image tests build the Dockerfile
command -v mmdebstrap >/dev/null || missing+=(mmdebstrap)  # and its base from Debian's packages
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  mapfile -t unique < <(printf '%s\n' "${missing[@]}" | sort -u)
  apt_install "${unique[@]}"
fi

if [ ! -x "$VENV/bin/python" ]; then
  if ! "$PYTHON" -m venv "$VENV" 2>/dev/null; then
    rm -rf "$VENV"
    echo "setup: installing python3-venv"
    apt_install python3-venv
    "$PYTHON" -m venv "$VENV"
  fi
fi

stamp="$VENV/.gacheck-installed"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "setup: installing gacheck and its test tools into $VENV"
  "$VENV/bin/python" -m pip install -q --upgrade pip >/dev/null
  "$VENV/bin/python" -m pip install -q -e ".[dev,plot,stats,serve]"
  touch "$stamp"
fi
# Bytecode for gacheck's own modules, as pip writes it for an installed package: where
# PYTHONDONTWRITEBYTECODE is set (CI images often set it), every run would otherwise compile
# them from source, 40 ms before the first gate. Stale files are rewritten, so this is cheap.
"$VENV/bin/python" -m compileall -q -j 0 gacheck >/dev/null
