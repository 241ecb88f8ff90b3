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

With ``arrival_rate`` the load is open-loop: request n is sent at ``n / arrival_rate`` seconds
after the start (or as soon as a worker is free after that), so the offered rate does not
follow the server's answers; ``observe`` then sees every answer (status, headers, the first
``keep_body`` bytes of its body, when it was sent), for kinds that judge answers one by one.
"""

from __future__ import annotations

import http.client
import json
import ssl
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
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


@dataclass(frozen=True)
class Answer:
    """One exchange, as ``observe`` sees it (``status`` None: a transport error)."""

    route: str
    sent_at: float
    """Seconds after the load started."""
    latency: float
    status: int | None
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    error: str | None = None


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
        return self.exchange(method, path, body, headers, 0)[0]

    def exchange(self, method: str, path: str, body: bytes | None, headers: Mapping[str, str],
                 keep_body: int) -> tuple[int, tuple[tuple[str, str], ...], bytes]:
        """Status, headers and the first ``keep_body`` bytes of the body."""
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
            data = response.read(MAX_BODY_BYTES)
            if len(data) >= MAX_BODY_BYTES:
                self.close()
            return response.status, tuple(response.getheaders()), data[:keep_body]
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def run_load(base_url: str, routes: Sequence[Route], requests: int, concurrency: int,
             time_limit: float, request_timeout: float,
             headers: Mapping[str, str] | None = None, *, arrival_rate: float | None = None,
             observe: Callable[[Answer], None] | None = None,
             keep_body: int = 0) -> LoadResult:
    prepared = [(r, None if r.body is None else json.dumps(r.body).encode()) for r in routes]
    sent_headers = {"Content-Type": "application/json", "User-Agent": "gacheck-load",
                    **(headers or {})}
    lock = threading.Lock()
    issued = [0]
    started_wall, started = datetime.now(UTC), time.perf_counter()
    deadline = started + time_limit
    result = LoadResult(started_wall, started_wall, 0.0, "requests",
                        routes={r.name: RouteTally() for r in routes})

    def next_number() -> int | None:
        with lock:
            number = issued[0]
            if number >= requests:
                return None
            due = started + number / arrival_rate if arrival_rate else time.perf_counter()
            if max(due, time.perf_counter()) >= deadline:
                result.stopped_by = "time_limit"
                return None
            issued[0] += 1
        if arrival_rate:
            time.sleep(max(0.0, due - time.perf_counter()))
        return number

    def worker() -> None:
        connection = _Connection(base_url, request_timeout)
        tallies: dict[str, RouteTally] = {r.name: RouteTally() for r in routes}
        errors: Counter[str] = Counter()
        while (number := next_number()) is not None:
            route, body = prepared[number % len(prepared)]
            answer = _send(connection, route, body, sent_headers, keep_body, started)
            tally = tallies[route.name]
            tally.sent += 1
            if answer.status is not None and 200 <= answer.status < 300:
                tally.ok += 1
                tally.latencies.append(answer.latency)
            else:
                errors[answer.error or f"HTTP {answer.status}"] += 1
            if observe is not None:
                observe(answer)
        connection.close()
        with lock:
            _merge(result, tallies, errors)

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


def _merge(result: LoadResult, tallies: dict[str, RouteTally], errors: Counter[str]) -> None:
    result.errors.update(errors)
    for name, tally in tallies.items():
        total = result.routes[name]
        total.sent += tally.sent
        total.ok += tally.ok
        total.latencies.extend(tally.latencies)
        result.latencies.extend(tally.latencies)


def _send(connection: _Connection, route: Route, body: bytes | None,
          headers: Mapping[str, str], keep_body: int, started: float) -> Answer:
    began = time.perf_counter()
    try:
        status, got, data = connection.exchange(route.method, route.path, body, headers,
                                                keep_body)
    except (http.client.HTTPException, OSError) as exc:
        return Answer(route.name, began - started, time.perf_counter() - began, None,
                      error=type(exc).__name__)
    return Answer(route.name, began - started, time.perf_counter() - began, status, got, data)
