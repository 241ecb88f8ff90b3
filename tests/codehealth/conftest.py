"""Real repositories for the code-health gates: files on disk, real git, real ruff."""

from __future__ import annotations

import json
import subprocess
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

RUFF_CONFIG = """\
[tool.ruff]
line-length = 100

[tool.ruff.lint]
select = ["E", "F"]
"""

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.invalid",
    "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.invalid",
    "GIT_CONFIG_NOSYSTEM": "1", "HOME": "/nonexistent", "PATH": "/usr/bin:/bin",
}


def git(repo: Path, *args: str, date: str = "2026-11-01T12:00:00Z") -> str:
    env = GIT_ENV | {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    done = subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True,
                          check=True)
    return done.stdout.strip()


@dataclass(frozen=True)
class Repo:
    root: Path

    def write(self, files: dict[str, str]) -> None:
        for name, text in files.items():
            path = self.root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text), encoding="utf-8")

    def git(self, *args: str) -> str:
        return git(self.root, *args)

    def commit(self, subject: str, files: dict[str, str], date: str = "2026-11-01T12:00:00Z") -> str:
        self.write(files)
        git(self.root, "add", "-A")
        git(self.root, "commit", "-q", "-m", subject, date=date)
        return git(self.root, "rev-parse", "HEAD")


@pytest.fixture
def make_repo(tmp_path: Path) -> Callable[..., Repo]:
    """A new folder with the ruff config above; a git repository unless ``git=False``."""

    def make(name: str = "repo", git_init: bool = True) -> Repo:
        root = tmp_path / name
        root.mkdir()
        (root / "pyproject.toml").write_text(RUFF_CONFIG, encoding="utf-8")
        if git_init:
            git(root, "init", "-q", "-b", "main")
        return Repo(root)

    return make


@pytest.fixture
def gate_result(run_cli, write_config) -> Callable[..., dict]:
    """Evaluate one gate (TOML body after ``[[gates]]``) on a repository; its JSON result."""

    def evaluate(body: str, repo: Path, *extra: str) -> dict:
        config = write_config("[[gates]]\n" + textwrap.dedent(body))
        done = run_cli("evaluate", "--config", str(config), "--repo", str(repo), "--no-write",
                       "--format", "json", *extra)
        assert done.code in (0, 1, 3), done.err
        return json.loads(done.out)["gates"][0]

    return evaluate
