"""A bounded synthetic load over HTTP: N requests at concurrency C, or until a time limit.

``concurrency`` worker threads share one httpx client whose pool holds exactly that many
connections (keep-alive, like a real client fleet, and never more sockets than workers).
Request bodies are serialised once. Each request's latency is taken around the whole
exchange, body read included. Workers stop taking requests at N or at the deadline,
whichever comes first; a request in flight at the deadline still completes (bounded by its
own timeout), so nothing is left half-sent.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


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


def run_load(base_url: str, routes: Sequence[Route], requests: int, concurrency: int,
             time_limit: float, request_timeout: float,
             headers: Mapping[str, str] | None = None) -> LoadResult:
    import httpx

    prepared = [(r, None if r.body is None else json.dumps(r.body).encode()) for r in routes]
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    client = httpx.Client(base_url=base_url, limits=limits, trust_env=False,
                          timeout=httpx.Timeout(request_timeout),
                          headers={"Content-Type": "application/json", **(headers or {})})
    lock = threading.Lock()
    issued = [0]
    started_wall, started = datetime.now(UTC), time.perf_counter()
    deadline = started + time_limit
    result = LoadResult(started_wall, started_wall, 0.0, "requests",
                        routes={r.name: RouteTally() for r in routes})

    def worker() -> None:
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
            tally = tallies[route.name]
            tally.sent += 1
            began = time.perf_counter()
            try:
                response = client.request(route.method, route.path, content=body)
                elapsed = time.perf_counter() - began
                if 200 <= response.status_code < 300:
                    tally.ok += 1
                    tally.latencies.append(elapsed)
                    latencies.append(elapsed)
                else:
                    errors[f"HTTP {response.status_code}"] += 1
            except httpx.HTTPError as exc:
                errors[type(exc).__name__] += 1
        with lock:
            result.latencies.extend(latencies)
            result.errors.update(errors)
            for name, tally in tallies.items():
                total = result.routes[name]
                total.sent += tally.sent
                total.ok += tally.ok
                total.latencies.extend(tally.latencies)

    threads = [threading.Thread(target=worker, daemon=True, name=f"load-{n}")
               for n in range(concurrency)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        client.close()
    result.elapsed_s = time.perf_counter() - started
    result.finished = datetime.now(UTC)
    result.sent = sum(t.sent for t in result.routes.values())
    result.ok = sum(t.ok for t in result.routes.values())
    return result
