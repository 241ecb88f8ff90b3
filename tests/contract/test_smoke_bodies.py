"""Hostile façade bodies: too large, or nested deeper than any parser goes. The smoke check
fails with what is wrong ("body too large: more than 4 MiB after decompression", "body is JSON
nested too deeply to read"), never with an internal
error of the gate kind."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

BODIES = {
    "/huge": b"[" * (4 * 1024 * 1024 + 1024),  # 4 MB of "[": over the cap
    "/deep": b"[" * 200_000,  # under the cap, nested far deeper than Python recursion
}


@pytest.fixture
def odd_server() -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            body = BODIES[self.path]
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client stopped reading at its cap

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True,
                              kwargs={"poll_interval": 0.05})
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _gate(path: str) -> str:
    return f"""
id = "smoke"
kind = "http_smoke"
title = "Smoke"
[[gates.checks]]
name = "odd"
path = "{path}"
expect_json = [{{ path = "data", exists = true }}]
"""


def test_a_4mb_bracket_body_is_body_too_large(run_gate, repo, odd_server) -> None:
    result = run_gate(_gate("/huge"), repo, facade_url=odd_server)
    assert result.status.value == "fail"
    assert "internal error" not in result.message
    check = result.evidence.details["checks"][0]
    assert check["failures"] == ["body too large: more than 4 MiB after decompression"]


def test_a_body_nested_too_deeply_is_not_json(run_gate, repo, odd_server) -> None:
    result = run_gate(_gate("/deep"), repo, facade_url=odd_server)
    assert result.status.value == "fail"
    assert result.evidence.details["checks"][0]["failures"] == ["body is JSON nested too deeply to read"]
