"""Run the real ``prometheus`` binary on a lab TSDB, on a free 127.0.0.1 port, and always stop it.

This is the one place gacheck starts a process that keeps running: ``collectors.process.run``
waits for commands to finish, a server must not. The server is stopped by the context
manager on every way out (return, exception, Ctrl-C), by an ``atexit`` hook if the
interpreter ends first, and, on Linux, by the kernel if the parent process dies.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from gacheck.core.deadline import monotonic
from gacheck.promlab.tsdb import PromlabError, require

RUNNING: set[subprocess.Popen[bytes]] = set()


@dataclass(frozen=True)
class BasicAuth:
    username: str
    password: str


class PrometheusServer:
    """``with PrometheusServer(data_dir, workdir) as server: server.url``.

    ``rules`` (YAML text) is loaded as a rule file so ``/api/v1/rules`` lists it;
    ``basic_auth`` makes every endpoint ask for that user and password (web config).
    """

    def __init__(self, data_dir: Path, workdir: Path, *, rules: str | None = None,
                 basic_auth: BasicAuth | None = None, start_timeout: float = 60.0) -> None:
        self.data_dir = data_dir
        self.workdir = workdir
        self.rules = rules
        self.basic_auth = basic_auth
        self.start_timeout = start_timeout
        self.port: int | None = None
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        if self.port is None:
            raise PromlabError("the lab Prometheus is not running")
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.workdir / "prometheus.log"

    def __enter__(self) -> PrometheusServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self) -> str:
        binary = require("prometheus")
        self.workdir.mkdir(parents=True, exist_ok=True)
        argv = [binary, *self._flags()]
        for _attempt in range(3):  # a free port can be taken between probing and binding
            self.port = free_port()
            self._spawn([*argv, f"--web.listen-address=127.0.0.1:{self.port}"])
            try:
                self._wait_ready()
                return self.url
            except _PortTaken:
                self.stop()
            except BaseException:
                self.stop()
                raise
        raise PromlabError("prometheus could not bind a free 127.0.0.1 port in 3 attempts")

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        stop_process(process)
        self.port = None

    def _flags(self) -> list[str]:
        config = self.workdir / "prometheus.yml"
        lines = ["global:", "  evaluation_interval: 30s"]
        if self.rules is not None:
            rules = self.workdir / "rules.yml"
            rules.write_text(self.rules, encoding="utf-8")
            lines += ["rule_files:", f"  - {rules}"]
        config.write_text("\n".join(lines) + "\n", encoding="utf-8")
        flags = [
            f"--config.file={config}",
            f"--storage.tsdb.path={self.data_dir}",
            "--storage.tsdb.retention.time=10y",  # backfilled weeks must never be cut
            # keep promtool's 2h blocks as they are: no background compaction competing
            # with the tests for the CPU
            "--storage.tsdb.min-block-duration=2h",
            "--storage.tsdb.max-block-duration=2h",
            "--log.level=warn",
        ]
        if self.basic_auth is not None:
            flags.append(f"--web.config.file={self._web_config()}")
        return flags

    def _web_config(self) -> Path:
        try:
            import bcrypt
        except ImportError:
            raise PromlabError(
                "basic auth for the lab Prometheus needs the bcrypt package: pip install bcrypt"
            ) from None
        assert self.basic_auth is not None
        hashed = bcrypt.hashpw(self.basic_auth.password.encode(), bcrypt.gensalt(rounds=4))
        path = self.workdir / "web.yml"
        path.write_text(
            f"basic_auth_users:\n  {self.basic_auth.username}: '{hashed.decode()}'\n",
            encoding="utf-8",
        )
        return path

    def _spawn(self, argv: list[str]) -> None:
        log = self.log_path.open("ab")
        try:
            self._process = subprocess.Popen(
                argv, cwd=self.workdir, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                start_new_session=True,  # Ctrl-C reaches us; we stop it in order
                preexec_fn=die_with_parent if can_tie_to_parent() else None,
            )
        except OSError as exc:
            raise PromlabError(f"cannot start prometheus: {exc.strerror or exc}") from None
        finally:
            log.close()
        RUNNING.add(self._process)

    def _wait_ready(self) -> None:
        import httpx

        assert self._process is not None
        auth = (self.basic_auth.username, self.basic_auth.password) if self.basic_auth else None
        deadline = monotonic() + self.start_timeout
        with httpx.Client(auth=auth, timeout=2.0, trust_env=False) as client:
            while monotonic() < deadline:
                if self._process.poll() is not None:
                    tail = self._log_tail()
                    if "address already in use" in tail:
                        raise _PortTaken()
                    raise PromlabError(f"prometheus exited with code "
                                       f"{self._process.returncode}: {tail}")
                with contextlib.suppress(httpx.TransportError):
                    if client.get(f"{self.url}/-/ready").status_code == 200:
                        return
                time.sleep(0.1)
        raise PromlabError(f"prometheus was not ready within {self.start_timeout:g}s: "
                           f"{self._log_tail()}")

    def wait_rules_evaluated(self, timeout: float = 30.0) -> None:
        """Until every loaded rule has been evaluated once (its health is no longer "unknown"):
        a rule never evaluated is not evidence, and the alerts gate would say so."""
        import httpx

        auth = (self.basic_auth.username, self.basic_auth.password) if self.basic_auth else None
        deadline = monotonic() + timeout
        with httpx.Client(auth=auth, timeout=2.0, trust_env=False) as client:
            while monotonic() < deadline:
                with contextlib.suppress(httpx.TransportError, ValueError, KeyError):
                    groups = client.get(f"{self.url}/api/v1/rules").json()["data"]["groups"]
                    if all(r.get("health") != "unknown" for g in groups for r in g["rules"]):
                        return
                time.sleep(0.2)
        raise PromlabError(f"prometheus did not evaluate its rules within {timeout:g}s")

    def _log_tail(self, lines: int = 3) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no log)"
        return " | ".join(text.strip().splitlines()[-lines:]) or "(empty log)"


class _PortTaken(Exception):
    pass


def stop_process(process: subprocess.Popen[bytes]) -> None:
    """Terminate a lab server started here (kill it after 10 s) and forget it."""
    RUNNING.discard(process)
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def can_tie_to_parent() -> bool:
    # PR_SET_PDEATHSIG fires when the *thread* that started the child ends, so only tie the
    # server to the main thread, whose end is the process's end.
    return sys.platform == "linux" and threading.current_thread() is threading.main_thread()


def die_with_parent() -> None:
    import ctypes

    pr_set_pdeathsig = 1
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


@atexit.register
def _stop_leftovers() -> None:
    for process in list(RUNNING):
        with contextlib.suppress(OSError):
            os.killpg(process.pid, signal.SIGTERM)
