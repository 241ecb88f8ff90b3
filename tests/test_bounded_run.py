"""``run_bounded``: an untrusted program's output is bounded however fast it prints."""
from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from gacheck.collectors.process import Completed, run_bounded
from gacheck.core.errors import CommandError

LIMIT = 1 << 20


def _run(tmp_path: Path, code: str) -> Completed:
    return run_bounded([sys.executable, "-c", code], cwd=tmp_path, env={"PATH": "/usr/bin:/bin"},
                       timeout=20, max_output=LIMIT)


@pytest.mark.parametrize("stream", ["stdout", "stderr"])
def test_output_past_the_bound_is_an_error_even_when_the_program_exits_at_once(
        tmp_path: Path, stream: str) -> None:
    # 4 MiB in one write, then exit: done before the first look at the files
    with pytest.raises(CommandError, match="printed more than 1,048,576 bytes"):
        _run(tmp_path, f"import sys; sys.{stream}.write('x' * (4 << 20))")


def test_output_exactly_at_the_bound_is_kept(tmp_path: Path) -> None:
    done = _run(tmp_path, f"import sys; sys.stdout.write('x' * {LIMIT})")
    assert done.exit_code == 0
    assert len(done.stdout) == LIMIT


def test_what_the_program_left_running_is_stopped_with_it(tmp_path: Path) -> None:
    # a background writer would go on filling the output file after the program exits
    code = ("import subprocess, sys\n"
            "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
            "print(child.pid)\n")
    done = _run(tmp_path, code)
    left = int(done.stdout.split()[0])
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and _alive(left):
        time.sleep(0.05)
    assert not _alive(left)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            return handle.read().split(") ")[1][0] != "Z"  # a zombie has stopped
    except FileNotFoundError:
        return False

