"""A hostile ``ruff`` cannot keep gacheck running: a 60 MB line of ``--show-files`` output is
refused (a line longer than PATH_MAX is not a path), the output is read with a byte cap, and
the process exits soon after the gate's time limit (issue 23, item 1)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINE_BYTES = 60 * 1024 * 1024
GATE_TIMEOUT_S = 4.0


SHOW_FILES = {
    # one line of 60 MB (``a/a/a/...``, no newline): resolved as a path, each of its 30
    # million parts was looked up under a longer and longer prefix
    "one_line": f"yes a/ | tr -d '\\n' | head -c {LINE_BYTES}; exit 0",
    # the same, then ruff hangs with its output open: stopped at the gate's limit
    "one_line_then_hang": f"yes a/ | tr -d '\\n' | head -c {LINE_BYTES}; sleep 300; exit 0",
    # lines just under PATH_MAX, each 2,000 parts to resolve, 60 MB of them
    "long_lines": f"yes $(printf 'a/%.0s' $(seq 2000)) | head -c {LINE_BYTES}; exit 0",
}


def _fake_ruff(folder: Path, show_files: str) -> Path:
    """Answers ``--version`` like ruff, ``--output-format=json`` with no diagnostic, and
    ``--show-files`` with ``SHOW_FILES[show_files]``."""
    fake = folder / "hostile-ruff"
    fake.write_text(textwrap.dedent(f"""\
        #!/bin/sh
        if [ "$1" = --version ]; then echo "ruff 9.9.9"; exit 0; fi
        for arg in "$@"; do
          if [ "$arg" = --show-files ]; then
            {SHOW_FILES[show_files]}
          fi
          if [ "$arg" = --output-format=json ]; then echo "[]"; exit 0; fi
        done
        exit 0
        """))
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    return fake


def _evaluate(tmp_path: Path, executable: str | None) -> tuple[subprocess.CompletedProcess[str],
                                                                float]:
    repo = tmp_path / "repo"
    (repo / "hot").mkdir(parents=True)
    (repo / "hot" / "api.py").write_text("import os\n")
    (repo / "pyproject.toml").write_text('[tool.ruff.lint]\nselect = ["F"]\n')
    line = f'executable = "{executable}"\n' if executable else ""
    config = tmp_path / "gates.toml"
    config.write_text(
        '[[gates]]\nid = "ruff_hot"\nkind = "ruff_budget"\ntitle = "Ruff"\npaths = ["hot"]\n'
        f'threshold = {{ max = 120 }}\ntimeout = "{GATE_TIMEOUT_S:g}s"\n{line}')
    argv = [sys.executable, "-m", "gacheck", "evaluate", "--config", str(config), "--repo",
            str(repo), "--no-write", "--format", "json"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.monotonic()
    try:
        done = subprocess.run(argv, capture_output=True, text=True, env=env,
                              timeout=GATE_TIMEOUT_S + 30)
    except subprocess.TimeoutExpired as stuck:  # killed by run(): the old behaviour
        out = stuck.stdout.decode() if isinstance(stuck.stdout, bytes) else ""
        return subprocess.CompletedProcess(argv, -9, out, ""), float("inf")
    return done, time.monotonic() - started


@pytest.mark.parametrize("show_files", sorted(SHOW_FILES))
def test_a_hostile_file_list_does_not_keep_the_process_running(
    tmp_path: Path, show_files: str
) -> None:
    done, took = _evaluate(tmp_path, str(_fake_ruff(tmp_path, show_files)))

    (gate,) = json.loads(done.stdout)["gates"]
    assert gate["status"] == "error", gate
    assert "internal error" not in gate["message"]
    # exits within a few seconds of the gate's limit (it used to run on, quadratic in the line)
    assert took < GATE_TIMEOUT_S + 10, took
    print(f"exit {took - GATE_TIMEOUT_S:+.1f}s after the gate's time limit: {gate['message']}")


def test_real_ruff_still_counts(tmp_path: Path) -> None:
    """Control: the real ruff's file list is read as before."""
    done, _ = _evaluate(tmp_path, None)

    (gate,) = json.loads(done.stdout)["gates"]
    assert gate["status"] == "pass", gate
    assert gate["value"] == 1
