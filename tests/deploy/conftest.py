"""Fixtures of the deploy tests: a real Prometheus, configs in a served folder, a real
``gacheck serve`` (uvicorn) on 127.0.0.1, and a real HTTP receiver for notifications.

Self-contained: nothing here is imported from another conftest or helper module.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "serve-token-5b1d9e"


def gates_toml(prometheus_url: str, *, value: float = 0.5, extra: str = "") -> str:
    """A config with one Prometheus gate on ``vector(value)`` (passes below 1) and ``extra``."""
    return f"""
[settings]
window = "10m"
step = "1m"
timeout = "30s"
output_dir = "audits"

[prometheus]
url = "{prometheus_url}"
cache = false

[[gates]]
id = "error_rate"
kind = "promql_sustained"
title = "Error rate below 1"
query = "vector({value})"
max_breach = "1m"
threshold = {{ max = 1 }}
{extra}
"""


SLOW_GATE = """
[[gates]]
id = "slow_check"
kind = "command"
title = "A check that takes {seconds}s"
command = ["sleep", "{seconds}"]
timeout = "60s"
"""


@pytest.fixture(scope="session")
def prometheus_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from gacheck.promlab.server import PrometheusServer

    work = tmp_path_factory.mktemp("deploy-prometheus")
    with PrometheusServer(work / "data", work) as server:
        yield server.url


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Served:
    url: str
    repo: Path
    configs: Path
    process: subprocess.Popen[bytes]
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def gacheck_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GACHECK_")}
    env["PYTHONPATH"] = str(ROOT)
    env.pop("GITHUB_ACTIONS", None)
    env.update(extra or {})
    return env


@contextlib.contextmanager
def running_serve(repo: Path, args: list[str], env: dict[str, str] | None = None,
                  ) -> Iterator[Served]:
    port = free_port()
    log = repo / f"serve-{port}.log"
    argv = [sys.executable, "-m", "gacheck", "serve", "--repo", str(repo),
            "--config", str(repo / "configs" / "gates.toml"), "--port", str(port), *args]
    with log.open("wb") as out:
        process = subprocess.Popen(argv, stdout=out, stderr=out, env=gacheck_env(env),
                                   cwd=repo, start_new_session=True)
    served = Served(f"http://127.0.0.1:{port}", repo, repo / "configs", process, log)
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise AssertionError(f"gacheck serve exited: {served.log_text()}")
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{served.url}/healthz", timeout=1).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise AssertionError(f"gacheck serve did not start: {served.log_text()}")
            time.sleep(0.1)
        yield served
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)


@pytest.fixture
def serve_repo(tmp_path: Path, prometheus_url: str) -> Path:
    """A repository with ``configs/``: gates.toml (pass), failing.toml, slow.toml."""
    configs = tmp_path / "configs"
    configs.mkdir()
    (configs / "gates.toml").write_text(gates_toml(prometheus_url), encoding="utf-8")
    (configs / "failing.toml").write_text(gates_toml(prometheus_url, value=2), encoding="utf-8")
    (configs / "slow.toml").write_text(
        gates_toml(prometheus_url, extra=SLOW_GATE.format(seconds=10)), encoding="utf-8")
    (tmp_path / "outside.toml").write_text(gates_toml(prometheus_url), encoding="utf-8")
    return tmp_path


@pytest.fixture
def serve(serve_repo: Path) -> Callable[..., contextlib.AbstractContextManager[Served]]:
    def start(*args: str, env: dict[str, str] | None = None
              ) -> contextlib.AbstractContextManager[Served]:
        return running_serve(serve_repo, list(args), env)

    return start


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class Receiver:
    """A real HTTP server on 127.0.0.1 that keeps every JSON body posted to it."""

    url: str
    received: list[Received] = field(default_factory=list)
    delay_s: float = 0.0
    status: int = 200


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver("")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            length = int(self.headers.get("content-length", "0"))
            body = json.loads(self.rfile.read(length) or b"null")
            state.received.append(Received(self.path, dict(self.headers), body))
            time.sleep(state.delay_s)
            with contextlib.suppress(OSError):
                self.send_response(state.status)
                self.send_header("content-length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
