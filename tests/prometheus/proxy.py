"""A loopback HTTP proxy in front of a real Prometheus that spoils its answers on purpose.

What Thanos, Mimir or a broken gateway do and a lone Prometheus will not: add ``warnings``
(a partial response), answer ``"status": "error"`` with HTTP 200, or hand back impossible
(negative) values. ``spoil`` is chosen per proxy; ``only`` limits it to one API path.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

WARNINGS = "warnings"
STATUS_ERROR = "status_error"
NEGATIVE = "negative"


def _negate(result: list[dict[str, Any]]) -> None:
    for item in result:
        for key in ("values", "value"):
            points = item.get(key)
            if key == "value" and points:
                points = [points]
            for point in points or []:
                point[1] = str(-abs(float(point[1]))) if point[1] not in ("NaN",) else point[1]


def spoiled(body: dict[str, Any], spoil: str) -> dict[str, Any]:
    if spoil == WARNINGS:
        return {**body, "warnings": ["partial response: store 10.0.0.7:10901 unavailable"]}
    if spoil == STATUS_ERROR:
        return {"status": "error", "errorType": "internal",
                "error": "query processing would load too many samples into memory"}
    if spoil == NEGATIVE and body.get("status") == "success":
        _negate(body["data"].get("result") or [])
    return body


class SpoilingProxy:
    """``with SpoilingProxy(prometheus_url, WARNINGS) as proxy: proxy.url``; ``spoil=None``
    passes every answer through and only counts the queries."""

    def __init__(self, upstream: str, spoil: str | None, only: str | None = None) -> None:
        self.upstream = upstream.rstrip("/")
        self.queries: list[str] = []  # every PromQL asked through the proxy
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                path = self.path.split("?", 1)[0]
                query = parse_qs(urlsplit(self.path).query).get("query")
                if query:
                    outer.queries.append(query[-1])
                answer = httpx.get(outer.upstream + self.path, timeout=30.0, trust_env=False)
                payload = answer.content
                if spoil and answer.status_code == 200 and (only is None or path == only):
                    payload = json.dumps(spoiled(answer.json(), spoil)).encode()
                self.send_response(answer.status_code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True,
                                        kwargs={"poll_interval": 0.05})

    def __enter__(self) -> SpoilingProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
