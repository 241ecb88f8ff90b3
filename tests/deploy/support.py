"""Helpers of the deploy tests (imported by their conftest and tests; no fixtures here)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

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
