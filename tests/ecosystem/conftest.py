"""A copy of the repository's source (no venv, no build leftovers), for build and install tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_LEFT_OUT = shutil.ignore_patterns(".venv", ".git", "build", "dist", "*.egg-info", "__pycache__",
                                   "demo-output", ".pytest_cache", ".ruff_cache", "out")


@pytest.fixture(scope="session")
def source_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("source") / "gacheck"
    shutil.copytree(ROOT, target, ignore=_LEFT_OUT)
    return target
