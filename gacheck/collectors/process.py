"""The one way gacheck runs a subprocess: argv list, timeout, output captured, errors explained.

Processes run in their own session so that a timeout kills the whole tree, not just the shell.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from gacheck.errors import CommandError
from gacheck.models import CommandRecord

_running: set[subprocess.Popen[str]] = set()
_running_lock = threading.Lock()


def stop_all() -> None:
    """Kill every process tree still running (on Ctrl-C): they run in sessions of their own,
    so the terminal's signal does not reach them."""
    with _running_lock:
        procs = list(_running)
    for proc in procs:
        _kill_tree(proc, wait=False)


@dataclass(frozen=True)
class Completed:
    argv: list[str]
    cwd: str | None
    exit_code: int
    stdout: str
    stderr: str

    def record(self, tail: int = 20) -> CommandRecord:
        """The evidence record: argv, cwd, exit code and the last lines of output."""
        lines = (self.stdout + self.stderr).splitlines()
        return CommandRecord(
            argv=self.argv, cwd=self.cwd, exit_code=self.exit_code, output_tail=lines[-tail:]
        )


def run(
    argv: Sequence[str],
    *,
    cwd: str | Path | None = None,
    timeout: float | None = None,
    env: Mapping[str, str] | None = None,
    check: bool = False,
    stdin: str | None = None,
) -> Completed:
    """Run ``argv``; raise ``CommandError`` if it cannot start or times out.

    With ``check``, a non-zero exit is an error too, with the end of stderr in the message.
    """
    argv = [str(part) for part in argv]
    full_env = None if env is None else {**os.environ, **env}
    try:
        proc = subprocess.Popen(
            argv,
            cwd=cwd,
            env=full_env,
            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            errors="replace",
            start_new_session=True,
        )
    except FileNotFoundError:
        raise CommandError(f"command not found: {argv[0]}") from None
    except NotADirectoryError:
        raise CommandError(f"working directory is not a directory: {cwd}") from None
    except PermissionError as exc:
        raise CommandError(f"cannot run {argv[0]}: {exc.strerror}") from None
    except OSError as exc:
        raise CommandError(f"cannot run {argv[0]}: {exc.strerror or exc}") from None
    with _running_lock:
        _running.add(proc)
    try:
        stdout, stderr = proc.communicate(input=stdin, timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_tree(proc)
        raise CommandError(f"{argv[0]} did not finish within {timeout:g}s") from None
    except BaseException:
        _kill_tree(proc)
        raise
    finally:
        with _running_lock:
            _running.discard(proc)
    done = Completed(argv, None if cwd is None else str(cwd), proc.returncode, stdout, stderr)
    if check and done.exit_code != 0:
        detail = (stderr.strip() or stdout.strip()).splitlines()[-5:]
        raise CommandError(
            f"{Path(argv[0]).name} exited with status {done.exit_code}: " + " / ".join(detail)
        )
    return done


def _kill_tree(proc: subprocess.Popen[str], wait: bool = True) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    if wait:
        proc.communicate()
