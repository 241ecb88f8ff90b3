"""The pre-commit hook, with the real ``pre-commit`` package: it installs gacheck from a local
clone of this repository's HEAD commit (as it would from gacheck's git URL; the dependencies
come from the package index), then refuses a commit that breaks the OpenAPI header guard with
the gate's message and lets a clean one through. Uncommitted changes are not in the clone."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _git(cwd: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"}
    return subprocess.run(["git", *argv], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=900)


def test_the_hook_refuses_a_broken_guard_and_accepts_a_clean_commit(
        make_project: Callable[..., Path], tmp_path: Path) -> None:
    if not (REPO / ".git").exists() or not shutil.which("git"):
        pytest.skip("needs gacheck's own git repository")
    head = _git(REPO, "rev-parse", "HEAD").stdout.strip()
    hooks = tmp_path / "gacheck-hooks"
    assert _git(tmp_path, "clone", "--quiet", "--no-local", str(REPO), str(hooks)).returncode == 0
    release = make_project(missing_header=False, vulnerable=False, root=tmp_path / "release")
    (release / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {hooks.as_uri()}\n    rev: {head}\n    hooks:\n"
        "      - id: gacheck-precommit\n        args: [--config, config/gates.toml]\n",
        encoding="utf-8")
    assert _git(release, "init", "--quiet").returncode == 0
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}
    pre_commit = [sys.executable, "-m", "pre_commit"]
    installed = subprocess.run([*pre_commit, "install"], cwd=release, env=env,
                               capture_output=True, text=True, timeout=120)
    assert installed.returncode == 0, installed.stderr
    _git(release, "add", "-A")
    clean = subprocess.run(["git", "commit", "-q", "-m", "clean"], cwd=release, env={
        **env, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"},
        capture_output=True, text=True, timeout=1200)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "Passed" in clean.stdout + clean.stderr

    (release / "docs/openapi/api.yaml").write_text(
        (release / "docs/openapi/api.yaml").read_text("utf-8").replace("X-Trace-Id", "X-Other"),
        encoding="utf-8")
    _git(release, "add", "-A")
    broken = subprocess.run(["git", "commit", "-q", "-m", "broken"], cwd=release, env={
        **env, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"},
        capture_output=True, text=True, timeout=600)
    output = broken.stdout + broken.stderr
    assert broken.returncode != 0, output
    assert "Failed" in output and "openapi_headers" in output
    assert "missing header(s) X-Trace-Id" in output
    assert _git(release, "rev-list", "--count", "HEAD").stdout.strip() == "1"
