"""Fixtures of the deploy tests: a real Prometheus, configs in a served folder, a real
``gacheck serve`` (uvicorn) on 127.0.0.1, and a real HTTP receiver for notifications.

Self-contained: helpers come from ``tests/deploy/support.py`` only, never from another
conftest.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.deploy.support import (
    SLOW_GATE,
    Received,
    Receiver,
    Served,
    gates_toml,
    running_serve,
)


@pytest.fixture(scope="session")
def prometheus_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from gacheck.promlab.server import PrometheusServer

    work = tmp_path_factory.mktemp("deploy-prometheus")
    with PrometheusServer(work / "data", work) as server:
        yield server.url


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
    thread = threading.Thread(target=server.serve_forever, daemon=True,
                              kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
