"""A loopback HTTP server that answers with recorded Prometheus payloads, in order.

For what a real Prometheus will not do on demand: answer 503 twice then succeed, hang past the
timeout, send ``warnings``, or not be Prometheus at all. Every request is kept for assertions.
"""

from __future__ import annotations

import json
import ssl
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Answer:
    status: int = 200
    body: Any = field(default_factory=lambda: {"status": "success",
                                               "data": {"resultType": "vector", "result": []}})
    delay: float = 0.0
    content_type: str = "application/json"


@dataclass
class Seen:
    path: str
    params: dict[str, str]
    headers: dict[str, str]


class CannedPrometheus:
    """``with CannedPrometheus([Answer(...), ...]) as server: server.url``; the last answer repeats."""

    def __init__(self, answers: list[Answer], tls: tuple[Path, Path] | None = None) -> None:
        self.answers = list(answers)
        self.seen: list[Seen] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                parts = urlsplit(self.path)
                params = {k: v[-1] for k, v in parse_qs(parts.query).items()}
                outer.seen.append(Seen(parts.path, params, dict(self.headers.items())))
                answer = outer.answers.pop(0) if len(outer.answers) > 1 else outer.answers[0]
                time.sleep(answer.delay)
                body = answer.body if isinstance(answer.body, str) else json.dumps(answer.body)
                payload = body.encode()
                try:
                    self.send_response(answer.status)
                    self.send_header("Content-Type", answer.content_type)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting, as the timeout test wants

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        scheme = "http"
        if tls is not None:  # (certificate, key): HTTPS with that certificate
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
            scheme = "https"
        self.url = f"{scheme}://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True,
                                        kwargs={"poll_interval": 0.05})

    def __enter__(self) -> CannedPrometheus:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def queries(self) -> list[Seen]:
        return [s for s in self.seen if s.path.startswith("/api/v1/query")]


def vector(*samples: tuple[dict[str, str], float, str]) -> dict[str, Any]:
    return {"status": "success", "data": {"resultType": "vector", "result": [
        {"metric": labels, "value": [ts, value]} for labels, ts, value in samples]}}


def error(kind: str, text: str) -> dict[str, Any]:
    return {"status": "error", "errorType": kind, "error": text}
