"""Fixtures of the CI tests: a project folder, as a git repository, and evaluate in it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.ci.ci_project import git, write_project_config, write_snapshot


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A repository root with ``config/gates.toml`` and ``snapshot.json`` (not yet a git repo)."""
    (tmp_path / "config").mkdir()
    write_project_config(tmp_path)
    write_snapshot(tmp_path, lint=90, p95=0.008)
    return tmp_path


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


@pytest.fixture(autouse=True)
def _not_inside_github_actions(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests choose the output format themselves, wherever this suite itself runs."""
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
