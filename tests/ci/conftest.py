"""A small project of our own for the CI tests: a config of ``command`` and ``json_value``
gates, a snapshot file whose value a test changes day by day, and a real git repository."""

from __future__ import annotations

import json
import subprocess
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

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


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A repository root with ``config/gates.toml`` and ``snapshot.json`` (not yet a git repo)."""
    (tmp_path / "config").mkdir()
    write_project_config(tmp_path)
    write_snapshot(tmp_path, lint=90, p95=0.008)
    return tmp_path


def write_project_config(root: Path, smoke: int = 0, extra: str = "") -> Path:
    path = root / "config" / "gates.toml"
    path.write_text(textwrap.dedent(CONFIG.format(smoke=smoke)) + textwrap.dedent(extra))
    return path


def write_snapshot(root: Path, lint: float | None, p95: float | None) -> None:
    (root / "snapshot.json").write_text(json.dumps({"lint": {"total": lint}, "p95": p95}))


@pytest.fixture
def git_project(project: Path) -> Path:
    """``project`` as a git repository with one commit (config and snapshot)."""
    git(project, "init", "-q", "-b", "main")
    git(project, "config", "user.email", "ci@example.invalid")
    git(project, "config", "user.name", "CI")
    git(project, "add", ".")
    git(project, "commit", "-q", "-m", "initial")
    return project


@pytest.fixture
def evaluate_in(run_cli) -> Callable[..., object]:  # type: ignore[no-untyped-def]
    """``gacheck evaluate`` in a project folder, with its config and repo."""

    def run(root: Path, *args: str):  # type: ignore[no-untyped-def]
        return run_cli("evaluate", "--config", str(root / "config" / "gates.toml"),
                       "--repo", str(root), *args)

    return run
