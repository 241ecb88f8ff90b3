"""The pre-commit hook, with the real ``pre-commit`` package: it installs gacheck from a local
clone of this repository's HEAD commit (as it would from gacheck's git URL; the dependencies
come from the package index), then refuses a commit that breaks the OpenAPI header guard with
the gate's message and lets a clean one through. Uncommitted changes are not in the clone. The
clone and the hook's environment are kept between runs, made again when what pip installs from
HEAD (gacheck/ and the top-level files) changes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

import pytest

from tests.support.build_cache import cached, digest

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _git(cwd: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"}
    return subprocess.run(["git", *argv], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=900)


def _hook_config(hooks: Path, rev: str) -> str:
    return (f"repos:\n  - repo: {hooks.as_uri()}\n    rev: {rev}\n    hooks:\n"
            "      - id: gacheck-precommit\n        args: [--config, config/gates.toml]\n")


def _installed_part(head: str) -> str:
    """What pip installs from a commit: its top-level files and its ``gacheck/`` tree, by git
    object id (tests, docs and the rest of a commit change nothing the hook runs)."""
    listing = _git(REPO, "ls-tree", head).stdout.splitlines()
    return "\n".join(line for line in listing
                     if line.split()[1] == "blob" or line.endswith("\tgacheck"))


def _hook_environment(head: str, entry: Path) -> None:
    """A clone at ``head`` (``entry/hooks``; ``entry/rev`` names the commit) and pre-commit's
    store (``entry/home``) with the hook's environment installed from it, as the first commit
    of a project using the hook would."""
    hooks = entry / "hooks"
    assert _git(entry, "clone", "--quiet", "--no-local", str(REPO), str(hooks)).returncode == 0
    assert _git(hooks, "checkout", "--quiet", head).returncode == 0
    project = entry / "project"
    project.mkdir()
    (project / ".pre-commit-config.yaml").write_text(_hook_config(hooks, head), encoding="utf-8")
    assert _git(project, "init", "--quiet").returncode == 0
    done = subprocess.run([sys.executable, "-m", "pre_commit", "install-hooks"], cwd=project,
                          env={**os.environ, "PRE_COMMIT_HOME": str(entry / "home")},
                          capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    shutil.rmtree(project)
    (entry / "rev").write_text(head, encoding="utf-8")


def hook_environment(head: str) -> tuple[Path, Path, str]:
    """A clone, a pre-commit home holding the hook's environment installed from it, and the
    commit the clone is at: made once per installed part of ``head`` (the same as HEAD's, by
    git object ids), pre-commit version and interpreter (``tests/support/build_cache.py``).
    The hook installs gacheck and its dependencies, the slow part of this test."""
    key = digest("pre-commit 1", _installed_part(head), version("pre-commit"), sys.executable,
                 sys.version)
    entry = cached("pre-commit", key, lambda folder: _hook_environment(head, folder))
    return entry / "hooks", entry / "home", (entry / "rev").read_text(encoding="utf-8")


def test_the_hook_refuses_a_broken_guard_and_accepts_a_clean_commit(
        make_project: Callable[..., Path], tmp_path: Path) -> None:
    if not (REPO / ".git").exists() or not shutil.which("git"):
        pytest.skip("needs gacheck's own git repository")
    head = _git(REPO, "rev-parse", "HEAD").stdout.strip()
    hooks, home, rev = hook_environment(head)
    release = make_project(missing_header=False, vulnerable=False, root=tmp_path / "release")
    (release / ".pre-commit-config.yaml").write_text(_hook_config(hooks, rev), encoding="utf-8")
    assert _git(release, "init", "--quiet").returncode == 0
    env = {**os.environ, "PRE_COMMIT_HOME": str(home)}
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
