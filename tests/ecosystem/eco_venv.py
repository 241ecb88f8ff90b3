"""Fresh virtual environments for install tests, without downloading gacheck's dependencies.

A new venv gets one ``.pth`` line naming the site-packages of the interpreter running the tests,
so the dependencies (pydantic, pandas...) are found there, after the venv's own site-packages:
the gacheck installed into the venv is the one imported. Plain path lines in a ``.pth`` are not
processed further, so the editable install of the development venv does not leak in.
"""

from __future__ import annotations

import os
import site
import subprocess
import sys
from pathlib import Path

OFFLINE_PIP = {
    # The dependencies come through the .pth line; only the build backend (setuptools, in pip's
    # isolated build environment) is fetched from the package index (or pip's cache).
    "PIP_NO_DEPS": "1",
    "PIP_DISABLE_PIP_VERSION_CHECK": "1",
}


def dependency_paths() -> list[str]:
    return [p for p in site.getsitepackages() if Path(p).is_dir()]


def make_venv(path: Path) -> Path:
    """A new venv at ``path`` that sees the running interpreter's packages; its python."""
    subprocess.run([sys.executable, "-m", "venv", str(path)], check=True, timeout=300)
    python = path / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True, timeout=60).stdout.strip()
    Path(purelib, "_gacheck_test_dependencies.pth").write_text(
        "\n".join(dependency_paths()) + "\n", encoding="utf-8")
    return python


def offline_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "PYTHON"))}
    env.update(OFFLINE_PIP)
    env.update(extra)
    return env
