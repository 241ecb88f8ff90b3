"""The suite's own layout: one import style, so that any test folders run together in one call.

Every folder of tests is a package (``tests.<folder>.<module>``); shared helpers are imported
as ``tests.support.<module>`` and shared fixtures come through ``pytest_plugins`` in
``tests/conftest.py``. A ``from conftest import`` or a bare import of a sibling module
resolves to whichever folder pytest put first on ``sys.path``, so two folders that each have
one would not collect together.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"


def _python_files() -> list[Path]:
    return sorted(TESTS.rglob("*.py"))


def _folders() -> set[Path]:
    return {path.parent for path in _python_files()}


def test_every_folder_of_python_files_is_a_package() -> None:
    missing = sorted(str(f.relative_to(ROOT)) for f in _folders() if not (f / "__init__.py").is_file())
    assert missing == []


def test_no_module_imports_a_conftest_a_sibling_by_bare_name_or_edits_sys_path() -> None:
    local = {path.stem for path in _python_files()} - {"__init__"}
    problems = []
    for path in _python_files():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            elif isinstance(node, ast.ImportFrom):
                problems.append(f"{path.relative_to(ROOT)}:{node.lineno}: relative import")
            for name in names:
                if name.split(".")[0] in local:
                    problems.append(f"{path.relative_to(ROOT)}:{node.lineno}: import {name}")
            if (isinstance(node, ast.Attribute) and node.attr == "path"
                    and isinstance(node.value, ast.Name) and node.value.id == "sys"):
                problems.append(f"{path.relative_to(ROOT)}:{node.lineno}: sys.path")
    assert problems == []


def test_two_folders_with_their_own_conftest_collect_in_one_call() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
         "tests/contract", "tests/research"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert " tests collected" in done.stdout
