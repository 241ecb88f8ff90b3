"""A small OpenAI-compatible façade on 127.0.0.1 for the smoke tests: right, wrong, slow, streaming.

It is a real HTTP server (the standard library's, one thread per connection), so the smoke
gate is tested over real sockets. ``behaviour`` is switched by the tests while it runs.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MODEL = "lukhas-mini"


@dataclass
class Behaviour:
    """What the server does; tests change fields between evaluations."""

    mode: str = "right"
    """right | wrong (500s and bad JSON) | slow | no_done | plain_stream | echo_auth"""
    delay_s: float = 0.0
    first_event_delay_s: float = 0.0
    token: str | None = None
    """When set, requests without ``Authorization: Bearer <token>`` get 401."""
    seen: list[dict[str, Any]] = field(default_factory=list)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # answer in one round trip, not after a delayed ACK
    behaviour: Behaviour

    def log_message(self, *args: Any) -> None:  # keep pytest output clean
        pass

    def _body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        return json.loads(raw) if raw else None

    def _send(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Trace-Id", "trace-123")
        self.send_header("X-RateLimit-Limit", "100")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
        self._handle("GET", None)

    def do_POST(self) -> None:  # noqa: N802
        self._handle("POST", self._body())

    def _handle(self, method: str, body: Any) -> None:
        b = self.behaviour
        b.seen.append({"method": method, "path": self.path, "body": body,
                       "authorization": self.headers.get("Authorization")})
        if b.token and self.headers.get("Authorization") != f"Bearer {b.token}":
            self._send(401, {"error": {"message": "bad token " + str(self.headers.get("Authorization"))}})
            return
        if b.delay_s:
            time.sleep(b.delay_s)
        if b.mode == "wrong":
            self._send(500, b"<html>upstream error</html>")
            return
        if self.path == "/health":
            self._send(200, {"status": "ok"})
        elif self.path == "/v1/models":
            self._send(200, {"object": "list", "data": [{"id": MODEL, "object": "model"}]})
        elif self.path == "/v1/embeddings" and method == "POST":
            self._send(200, {"object": "list", "data": [{"embedding": [0.1, 0.2], "index": 0}],
                             "model": (body or {}).get("model")})
        elif self.path == "/v1/chat/completions" and method == "POST":
            if (body or {}).get("stream"):
                self._stream(body)
            else:
                self._send(200, {"object": "chat.completion", "model": body.get("model"),
                                 "choices": [{"index": 0, "message": {"role": "assistant",
                                                                      "content": "ready"}}]})
        else:
            self._send(404, {"error": {"message": "not found"}})

    def _events(self) -> Iterator[bytes]:
        for word in ("rea", "dy"):
            chunk = {"object": "chat.completion.chunk",
                     "choices": [{"index": 0, "delta": {"content": word}}]}
            yield f"data: {json.dumps(chunk)}\n\n".encode()
        if self.behaviour.mode != "no_done":
            yield b"data: [DONE]\n\n"

    def _stream(self, body: Any) -> None:
        b = self.behaviour
        self.send_response(200)
        kind = "text/plain" if b.mode == "plain_stream" else "text/event-stream"
        self.send_header("Content-Type", kind)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        if b.first_event_delay_s:
            time.sleep(b.first_event_delay_s)
        for event in self._events():
            self.wfile.write(b"%x\r\n%s\r\n" % (len(event), event))
            self.wfile.flush()
        self.wfile.write(b"0\r\n\r\n")


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients that hang up early (timeouts, TLS probes) are part of the tests


class FacadeServer:
    def __init__(self) -> None:
        self.behaviour = Behaviour()
        handler = type("Handler", (_Handler,), {"behaviour": self.behaviour})
        self._server = _QuietServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True,
                                        kwargs={"poll_interval": 0.05})

    def __enter__(self) -> FacadeServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
