"""Running one example in a scratch folder, with a bounded time and output, and its outcome.

``pass``: exit 0. ``fail``: a non-zero exit, with the first line of its error (for Python the
exception line of the traceback, for a shell its first line on stderr). ``no_data``: it cannot
run here: the interpreter or a tool is missing (bash's exit 127, "command not found"), or a
Python module is not installed. ``error``: it names a host outside the allow-list (not run),
never ends, or prints more than the output cap.
"""

from __future__ import annotations

import re
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from gacheck.collectors.process import run_bounded
from gacheck.core.deadline import monotonic
from gacheck.core.errors import CommandError
from gacheck.gates.examples.extract import Example

_MISSING_TOOL = re.compile(r"(?:^|: )([\w.+-]+): (?:command )?not found")
_MISSING_MODULE = re.compile(r"ModuleNotFoundError: No module named '([\w.]+)'")


def environment(scratch: Path, names: dict[str, str]) -> dict[str, str]:
    """Only what an example needs: PATH (this interpreter first), a scratch HOME, the names."""
    import os

    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    return {"PATH": path, "HOME": str(scratch), "TMPDIR": str(scratch), "LANG": "C.UTF-8",
            "NO_PROXY": "*", "PYTHONDONTWRITEBYTECODE": "1", **names}


def outcome(example: Example, allowed: set[str], env: dict[str, str], timeout: float,
            max_output: int) -> dict[str, Any]:
    row: dict[str, Any] = {"file": example.file, "line": example.line,
                           "language": example.language, "status": "pass", "error": None,
                           "exit_code": None, "seconds": None}
    foreign = [h for h in example.hosts() if h not in allowed]
    if foreign:
        return {**row, "status": "error",
                "error": f"names {', '.join(foreign)}, outside the allow-list: not run"}
    if example.language == "python":
        argv = [sys.executable, "example.py"]
    elif shutil.which("bash", path=env["PATH"]):
        argv = ["bash", "-e", "example.sh"]
    else:
        return {**row, "status": "no_data", "error": "bash is not installed here"}

    with tempfile.TemporaryDirectory(prefix="gacheck-example-") as scratch:
        Path(scratch, argv[-1]).write_text(example.code, encoding="utf-8")
        began = monotonic()
        try:
            done = run_bounded(argv, cwd=scratch, env={**env, "HOME": scratch,
                                                       "TMPDIR": scratch},
                               timeout=timeout, max_output=max_output)
        except CommandError as exc:
            return {**row, "status": "error", "error": str(exc).replace(argv[0], "example"),
                    "seconds": round(monotonic() - began, 2)}
    row.update(exit_code=done.exit_code, seconds=round(monotonic() - began, 2))
    if done.exit_code == 0:
        return row
    return {**row, **_failure(example, done.exit_code, done.stdout, done.stderr)}


def _failure(example: Example, code: int, stdout: str, stderr: str) -> dict[str, Any]:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    module = _MISSING_MODULE.search(stderr)
    if module:
        return {"status": "no_data", "error": f"Python module {module.group(1)} is not "
                "installed here"}
    tool = _MISSING_TOOL.search(stderr)
    if code == 127 and tool:
        return {"status": "no_data", "error": f"{tool.group(1)} is not installed here"}
    if example.language == "python":
        shown = next((line for line in reversed(lines)
                      if not line.startswith(("File ", "^", "~"))), None)
    else:
        shown = lines[0] if lines else None
    if shown is None:
        out = [line.strip() for line in stdout.splitlines() if line.strip()]
        shown = out[-1] if out else f"exit status {code}, no output"
    return {"status": "fail", "error": shown[:300]}
