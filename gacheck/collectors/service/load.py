"""A bounded synthetic load over HTTP: N requests at concurrency C, or until a time limit.

``concurrency`` worker threads each keep one keep-alive connection (the pool is bounded by
construction: never more sockets than workers), reopened after a failure. The transport is
the standard library's ``http.client``, not httpx: httpx spends ~0.7-0.9 ms of CPU per request
on this project's benchmark machine, and under the GIL that, not the server, bounds a load of
1,000 requests (``bench/load_overhead.py``); ``http.client`` spends ~0.1-0.2 ms. Request bodies
are serialised once. Each request's latency is taken around the whole exchange, body read
included; bodies beyond ``MAX_BODY_BYTES`` are cut off and the connection dropped. Workers
stop taking requests at N or at the deadline, whichever comes first; a request in flight at
the deadline still completes (bounded by its own timeout), so nothing is left half-sent.
"""

from __future__ import annotations

import http.client
import json
import ssl
import threading
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

MAX_BODY_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class Route:
    name: str
    method: str
    path: str
    body: Any = None


@dataclass
class RouteTally:
    sent: int = 0
    ok: int = 0
    latencies: list[float] = field(default_factory=list)


@dataclass
class LoadResult:
    started: datetime
    finished: datetime
    elapsed_s: float
    stopped_by: str
    sent: int = 0
    ok: int = 0
    latencies: list[float] = field(default_factory=list)
    """Seconds, of the requests answered 2xx."""
    errors: Counter[str] = field(default_factory=Counter)
    routes: dict[str, RouteTally] = field(default_factory=dict)


class _Connection:
    """One worker's keep-alive connection, reopened lazily after an error."""

    def __init__(self, base_url: str, timeout: float) -> None:
        parts = urlsplit(base_url)
        self.prefix = parts.path.rstrip("/")
        self._https = parts.scheme == "https"
        self._host = parts.hostname or "127.0.0.1"
        self._port = parts.port or (443 if self._https else 80)
        self._timeout = timeout
        self._conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: bytes | None,
                headers: Mapping[str, str]) -> int:
        if self._conn is None:
            if self._https:
                self._conn = http.client.HTTPSConnection(
                    self._host, self._port, timeout=self._timeout,
                    context=ssl.create_default_context())
            else:
                self._conn = http.client.HTTPConnection(self._host, self._port,
                                                        timeout=self._timeout)
        try:
            self._conn.request(method, self.prefix + path, body=body, headers=dict(headers))
            response = self._conn.getresponse()
            if len(response.read(MAX_BODY_BYTES)) >= MAX_BODY_BYTES:
                self.close()
            return response.status
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def _send_one(connection: _Connection, route: Route, body: bytes | None,
              headers: Mapping[str, str], tally: RouteTally, latencies: list[float],
              errors: Counter[str]) -> None:
    """Send one request and tally it: a 2xx adds its latency (taken around the whole
    exchange, body read included), anything else counts as an error by HTTP status or by
    exception type, so a failing server still yields a result rather than an exception."""
    tally.sent += 1
    began = time.perf_counter()
    try:
        status = connection.request(route.method, route.path, body, headers)
        elapsed = time.perf_counter() - began
        if 200 <= status < 300:
            tally.ok += 1
            tally.latencies.append(elapsed)
            latencies.append(elapsed)
        else:
            errors[f"HTTP {status}"] += 1
    except (http.client.HTTPException, OSError) as exc:
        errors[type(exc).__name__] += 1


def _add_worker_tallies(result: LoadResult, latencies: list[float], errors: Counter[str],
                        tallies: dict[str, RouteTally]) -> None:
    """Add one worker's tallies to the result (the caller holds the lock): workers count on
    their own and add up once at the end, so the lock is not taken for every answer."""
    result.latencies.extend(latencies)
    result.errors.update(errors)
    for name, tally in tallies.items():
        total = result.routes[name]
        total.sent += tally.sent
        total.ok += tally.ok
        total.latencies.extend(tally.latencies)


def run_load(base_url: str, routes: Sequence[Route], requests: int, concurrency: int,
             time_limit: float, request_timeout: float,
             headers: Mapping[str, str] | None = None) -> LoadResult:
    prepared = [(r, None if r.body is None else json.dumps(r.body).encode()) for r in routes]
    sent_headers = {"Content-Type": "application/json", "User-Agent": "gacheck-load",
                    **(headers or {})}
    lock = threading.Lock()
    issued = [0]
    started_wall, started = datetime.now(UTC), time.perf_counter()
    deadline = started + time_limit
    result = LoadResult(started_wall, started_wall, 0.0, "requests",
                        routes={r.name: RouteTally() for r in routes})

    def worker() -> None:
        connection = _Connection(base_url, request_timeout)
        latencies: list[float] = []
        tallies: dict[str, RouteTally] = {r.name: RouteTally() for r in routes}
        errors: Counter[str] = Counter()
        while True:
            with lock:
                number = issued[0]
                if number >= requests:
                    break
                if time.perf_counter() >= deadline:
                    result.stopped_by = "time_limit"
                    break
                issued[0] += 1
            route, body = prepared[number % len(prepared)]
            _send_one(connection, route, body, sent_headers, tallies[route.name], latencies,
                      errors)
        connection.close()
        with lock:
            _add_worker_tallies(result, latencies, errors, tallies)

    threads = [threading.Thread(target=worker, daemon=True, name=f"load-{n}")
               for n in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.elapsed_s = time.perf_counter() - started
    result.finished = datetime.now(UTC)
    result.sent = sum(t.sent for t in result.routes.values())
    result.ok = sum(t.ok for t in result.routes.values())
    return result
