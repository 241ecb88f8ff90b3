"""A small HTTP proxy on 127.0.0.1 that forwards to a real Prometheus and records each request.

    with RecordingProxy(lab.url) as proxy:
        ... point gacheck at proxy.url ...
        proxy.requests  # [Recorded(method, path, params, headers), ...]

It stands in for what sits between gacheck and Prometheus in larger set-ups (Thanos Query,
Mimir's gateway): tests read off it which parameters and headers arrived, and how many
requests an evaluation made.
"""

from __future__ import annotations

import http.client
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    params: dict[str, list[str]]
    headers: dict[str, str]


class RecordingProxy:
    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream)
        self.upstream_host = parts.hostname or "127.0.0.1"
        self.upstream_port = parts.port or 80
        self.requests: list[Recorded] = []
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                params = parse_qs(parts.query, keep_blank_values=True)
                if body and "form-urlencoded" in (self.headers.get("Content-Type") or ""):
                    for key, values in parse_qs(body.decode(), keep_blank_values=True).items():
                        params.setdefault(key, []).extend(values)
                with proxy._lock:
                    proxy.requests.append(Recorded(self.command, parts.path, params,
                                                   {k.lower(): v for k, v in self.headers.items()}))
                upstream = http.client.HTTPConnection(proxy.upstream_host, proxy.upstream_port,
                                                      timeout=120)
                try:
                    headers = {k: v for k, v in self.headers.items()
                               if k.lower() not in ("host", "connection")}
                    upstream.request(self.command, self.path, body=body or None, headers=headers)
                    answer = upstream.getresponse()
                    data = answer.read()
                    self.send_response(answer.status)
                    for key, value in answer.getheaders():
                        if key.lower() not in ("transfer-encoding", "connection",
                                               "content-length"):
                            self.send_header(key, value)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                finally:
                    upstream.close()

            do_GET = _forward
            do_POST = _forward

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True,
                                        kwargs={"poll_interval": 0.05})

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def queries(self) -> list[Recorded]:
        """The query requests (instant and range), not rules or label lookups."""
        with self._lock:
            return [r for r in self.requests if r.path.startswith("/api/v1/query")]

    def clear(self) -> None:
        with self._lock:
            self.requests.clear()

    def __enter__(self) -> RecordingProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()
