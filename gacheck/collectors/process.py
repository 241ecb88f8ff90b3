"""The one way gacheck runs a subprocess: argv list, timeout, output captured, errors explained.

Processes run in their own session so that a timeout kills the whole tree, not just the shell.
When the calling thread works for a gate (``gacheck.core.deadline``), the timeout is shortened
to the gate's time limit, and the tree is killed as soon as the engine gives up on the gate.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from gacheck.core import deadline
from gacheck.core.deadline import monotonic
from gacheck.core.errors import CommandError
from gacheck.core.models import CommandRecord
from gacheck.core.own_environ import inherited

_running: set[subprocess.Popen[Any]] = set()
P = TypeVar("P", bound="subprocess.Popen[Any]")
_changed = threading.Condition()
"""Guards ``_running`` and the two below; notified when a start finishes."""
_starting = 0
"""Processes being started now: not in ``_running`` until ``Popen`` returns."""
_stopping = False
STOP_GRACE_S = 2.0


def stop_all() -> None:
    """Kill every process tree still running (on Ctrl-C): they run in sessions of their own,
    so the terminal's signal does not reach them. A process being started right now is waited
    for (up to ``STOP_GRACE_S``) and killed too, and none is started afterwards."""
    global _stopping
    with _changed:
        _stopping = True
        _changed.wait_for(lambda: _starting == 0, timeout=STOP_GRACE_S)
        procs = list(_running)
    for proc in procs:
        _kill_tree(proc, wait=False)


def _tracked(name: str, spawn: Callable[[], P]) -> P:
    """``spawn()``'s process, registered in ``_running`` before ``stop_all`` can look; refused
    once ``stop_all`` ran."""
    global _starting
    with _changed:
        if _stopping:
            raise CommandError(f"{name} not started: gacheck is stopping")
        _starting += 1
    proc = None
    try:
        proc = spawn()
        return proc
    finally:
        with _changed:
            _starting -= 1
            if proc is not None:
                _running.add(proc)
            _changed.notify_all()


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
    cleanup: bool = False,
) -> Completed:
    """Run ``argv``; raise ``CommandError`` if it cannot start, times out or is cancelled.

    With ``check``, a non-zero exit is an error too, with the end of stderr in the message.
    ``cleanup``: clean-up work that must run even after the gate's time limit (own timeout).
    """
    argv = [str(part) for part in argv]
    limit = None if cleanup else deadline.current()
    if limit is not None:
        if limit.cancelled or limit.remaining() <= 0:
            raise CommandError(f"{argv[0]} not started: the gate's time limit has passed")
        # a moment past the limit: the engine's own "did not finish" is what the user reads,
        # and its cancel kills the tree; this only bounds a process nobody cancels
        bound = limit.remaining() + 1.0
        timeout = bound if timeout is None else min(timeout, bound)
    proc = _tracked(argv[0], lambda: _start(argv, cwd, env, stdin))
    try:
        stdout, stderr = _communicate(proc, stdin, timeout, limit)
    except _Cancelled:
        _kill_tree(proc)
        raise CommandError(f"{argv[0]} stopped: the gate ran out of time") from None
    except subprocess.TimeoutExpired:
        _kill_tree(proc)
        raise CommandError(f"{argv[0]} did not finish within {timeout:g}s") from None
    except BaseException:
        _kill_tree(proc)
        raise
    finally:
        with _changed:
            _running.discard(proc)
    done = Completed(argv, None if cwd is None else str(cwd), proc.returncode, stdout, stderr)
    if check and done.exit_code != 0:
        detail = (stderr.strip() or stdout.strip()).splitlines()[-5:]
        raise CommandError(
            f"{Path(argv[0]).name} exited with status {done.exit_code}: " + " / ".join(detail)
        )
    return done


def _start(
    argv: list[str], cwd: str | Path | None, env: Mapping[str, str] | None, stdin: str | None
) -> subprocess.Popen[str]:
    """Start ``argv`` in a session of its own (so a kill reaches the whole tree), with ``env``
    on top of ours; a failure to start is a ``CommandError`` that says why in plain words."""
    full_env = {**inherited(), **(env or {})}
    try:
        return subprocess.Popen(
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


class _Cancelled(Exception):
    pass


def _communicate(
    proc: subprocess.Popen[str],
    stdin: str | None,
    timeout: float | None,
    limit: deadline.Deadline | None,
) -> tuple[str, str]:
    """``proc.communicate``, woken every 0.2 s to see whether the gate was cancelled."""
    if limit is None:
        return proc.communicate(input=stdin, timeout=timeout)
    end = None if timeout is None else monotonic() + timeout
    while True:
        left = 0.2 if end is None else max(0.0, min(0.2, end - monotonic()))
        try:
            # retrying after TimeoutExpired loses no output; stdin is sent by the first call
            return proc.communicate(input=stdin, timeout=left)
        except subprocess.TimeoutExpired:
            if limit.cancelled:
                raise _Cancelled() from None
            if end is not None and monotonic() >= end:
                raise


def _kill_tree(proc: subprocess.Popen[Any], wait: bool = True) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    if wait:
        proc.communicate()


def run_bounded(
    argv: Sequence[str],
    *,
    cwd: str | Path,
    env: Mapping[str, str],
    timeout: float,
    max_output: int,
) -> Completed:
    """Run ``argv`` with exactly ``env`` (nothing inherited), its output kept in files and
    bounded: past ``max_output`` bytes (stdout and stderr together), or ``timeout`` seconds,
    or the gate's time limit, the tree is killed and ``CommandError`` says which.

    For untrusted programs (documentation examples): memory stays bounded however much they
    print, since the output never passes through a pipe into this process unread.
    """
    import tempfile

    argv = [str(part) for part in argv]
    limit = deadline.current()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        def spawn() -> subprocess.Popen[bytes]:
            try:
                return subprocess.Popen(argv, cwd=cwd, env=dict(env), stdin=subprocess.DEVNULL,
                                        stdout=out, stderr=err, start_new_session=True)
            except OSError as exc:
                raise CommandError(f"cannot run {argv[0]}: {exc.strerror or exc}") from None

        proc = _tracked(argv[0], spawn)
        try:
            _watch(proc, argv[0], out.fileno(), err.fileno(), timeout, max_output, limit)
        finally:
            with _changed:
                _running.discard(proc)
        texts = []
        for handle in (out, err):
            handle.seek(0)
            texts.append(handle.read(max_output).decode("utf-8", "replace"))
    return Completed(argv, str(cwd), proc.returncode, texts[0], texts[1])


def _watch(proc: subprocess.Popen[bytes], name: str, out: int, err: int, timeout: float,
           max_output: int, limit: deadline.Deadline | None) -> None:
    end = monotonic() + timeout
    too_much = f"{name} printed more than {max_output:,} bytes: stopped"
    while True:
        try:
            proc.wait(timeout=0.05)
        except subprocess.TimeoutExpired:
            pass
        else:
            _kill_tree(proc, wait=False)  # what it left running in the background goes too
            # a program can print far past the bound and exit between two looks
            if os.fstat(out).st_size + os.fstat(err).st_size > max_output:
                raise CommandError(too_much)
            return
        size = os.fstat(out).st_size + os.fstat(err).st_size
        why = None
        if size > max_output:
            why = too_much
        elif monotonic() >= end:
            why = f"{name} did not finish within {timeout:g}s: stopped"
        elif limit is not None and (limit.cancelled or limit.remaining() <= 0):
            why = f"{name} stopped: the gate ran out of time"
        if why:
            _kill_tree(proc, wait=False)
            proc.wait()
            raise CommandError(why)
