"""The small project of the CI tests: a config of ``command`` and ``json_value`` gates and a
snapshot file whose values a test changes day by day."""

from __future__ import annotations

import json
import subprocess
import textwrap
from pathlib import Path

CONFIG = """
[settings]
output_dir = "docs/audits/ga"
history = 14

[[gates]]
id = "budget"
kind = "json_value"
title = "Lint budget"
file = "snapshot.json"
path = "lint.total"
unit = "count"
threshold = {{ max = 120, warn = 100 }}

[[gates]]
id = "latency"
kind = "json_value"
title = "p95 latency"
file = "snapshot.json"
path = "p95"
unit = "seconds"
threshold = {{ max = "10ms" }}

[[gates]]
id = "smoke"
kind = "command"
title = "Smoke"
command = ["sh", "-c", "exit {smoke}"]
"""


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True,
                          check=True)
    return done.stdout


def write_project_config(root: Path, smoke: int = 0, extra: str = "") -> Path:
    path = root / "config" / "gates.toml"
    path.write_text(textwrap.dedent(CONFIG.format(smoke=smoke)) + textwrap.dedent(extra))
    return path


def write_snapshot(root: Path, lint: float | None, p95: float | None) -> None:
    (root / "snapshot.json").write_text(json.dumps({"lint": {"total": lint}, "p95": p95}))
