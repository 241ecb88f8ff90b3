"""A small release repository whose serverless gates (OpenAPI header guard, pip-audit report,
ruff budget) each find something with a location; for the SARIF and pre-commit tests.
Self-contained: nothing here comes from another test folder."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

SCHEMA = Path(__file__).parent / "data" / "sarif-schema-2.1.0-rtm.5.json"
HEADERS = ["X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "X-Trace-Id"]

CONFIG = """\
[settings]
output_dir = "audits"

[[gates]]
id = "openapi_headers"
kind = "openapi_headers"
title = "OpenAPI responses declare rate-limit and trace headers"
specs = ["docs/openapi/*.yaml"]

[[gates]]
id = "pip_audit"
kind = "pip_audit"
title = "No known vulnerabilities in the pins"
report = "reports/2099-01-01/pip-audit.json"
pins = ["requirements.txt"]

[[gates]]
id = "ruff_budget"
kind = "ruff_budget"
title = "Ruff diagnostics within budget"
paths = ["src"]
isolated = true
select = ["F"]
threshold = { max = 5 }
"""


def spec(missing: bool) -> str:
    """An OpenAPI 3.0 spec; with ``missing``, GET /v1/models lacks X-Trace-Id (line 12)."""
    names = HEADERS[:-1] if missing else HEADERS
    headers = "".join(f"            {h}:\n              schema: {{type: string}}\n"
                      for h in names)
    return ("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /v1/models:\n"
            "    get:\n      responses:\n        '200':\n          description: ok\n"
            f"          headers:\n{headers}")


def report(vulnerable: bool) -> str:
    vulns = [{"id": "PYSEC-2019-217", "fix_versions": ["2.10.1"], "aliases": ["CVE-2019-10906"],
              "description": "sandbox escape"}] if vulnerable else []
    return json.dumps({"dependencies": [
        {"name": "requests", "version": "2.32.0", "vulns": []},
        {"name": "Jinja2", "version": "2.10", "vulns": vulns}], "fixes": []})


@pytest.fixture
def make_project(tmp_path: Path) -> Callable[..., Path]:
    def make(missing_header: bool = True, vulnerable: bool = True, unused_import: bool = True,
             root: Path | None = None) -> Path:
        repo = root or tmp_path / "release"
        for path, text in {
            "config/gates.toml": CONFIG,
            "docs/openapi/api.yaml": spec(missing_header),
            "requirements.txt": "# pins\nrequests==2.32.0\njinja2==2.10  # old\n",
            "reports/2099-01-01/pip-audit.json": report(vulnerable),
            "src/app.py": ("import os\n" if unused_import else "") + "print('hi')\n",
        }.items():
            (repo / path).parent.mkdir(parents=True, exist_ok=True)
            (repo / path).write_text(text, encoding="utf-8")
        return repo

    return make
