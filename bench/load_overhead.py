"""The ``load`` gate's generator, measured against a plain httpx loop on the same server.

A minimal asyncio server in its own process (``_fixed_latency_server.py``) answers every
request after a fixed 5 ms, so that what is measured is the client, not the server. Measured:
client-side p50 of gacheck's generator (concurrency 1) against a bare ``httpx.Client`` loop
sending the same requests (target: within 1 ms), and 1,000 requests at concurrency 20 against
the time the server alone needs for them, 1,000 x 5 ms / 20 = 250 ms (target: under 2x).
"""

from __future__ import annotations

import contextlib
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from gacheck.collectors.service.load import Route, run_load
from gacheck.collectors.service.stream_timing import percentile

LATENCY = 0.005
SEQUENTIAL = 300
BODY = {"input": "test embedding", "model": "text-embedding-ada-002"}
ROUTE = Route("embeddings", "POST", "/v1/embeddings", BODY)


def plain_concurrent(url: str, requests: int, concurrency: int) -> float:
    """Seconds for a bare httpx client shared by ``concurrency`` threads: the yardstick."""
    from concurrent.futures import ThreadPoolExecutor

    payload = json.dumps(BODY).encode()
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    with httpx.Client(base_url=url, trust_env=False, limits=limits,
                      headers={"Content-Type": "application/json"}) as client:
        began = time.perf_counter()
        with ThreadPoolExecutor(concurrency) as pool:
            list(pool.map(lambda _: client.post("/v1/embeddings", content=payload),
                          range(requests)))
        return time.perf_counter() - began


def plain_loop(url: str) -> list[float]:
    latencies = []
    payload = json.dumps(BODY).encode()
    with httpx.Client(base_url=url, trust_env=False,
                      headers={"Content-Type": "application/json"}) as client:
        for _ in range(SEQUENTIAL):
            began = time.perf_counter()
            client.post("/v1/embeddings", content=payload).raise_for_status()
            latencies.append(time.perf_counter() - began)
    return latencies


@contextlib.contextmanager
def fixed_latency_server(delay: float) -> Iterator[str]:
    script = Path(__file__).with_name("_fixed_latency_server.py")
    process = subprocess.Popen([sys.executable, str(script), str(delay)],
                               stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        yield process.stdout.readline().strip()
    finally:
        process.terminate()
        process.wait(timeout=10)


class _Url:
    def __init__(self, url: str) -> None:
        self.url = url


def main() -> int:
    with fixed_latency_server(LATENCY) as url:
        facade = _Url(url)
        plain_loop(facade.url)  # warm both sides up
        plain_p50s, gacheck_p50s = [], []
        for _ in range(5):  # interleaved, so that a busy moment of the machine hits both
            plain_p50s.append(percentile(plain_loop(facade.url), 0.5) or 0.0)
            result = run_load(facade.url, [ROUTE], SEQUENTIAL, 1, 60.0, 10.0)
            gacheck_p50s.append(percentile(result.latencies, 0.5) or 0.0)
        plain, ours = statistics.median(plain_p50s), statistics.median(gacheck_p50s)
        print(f"p50 at concurrency 1, {SEQUENTIAL} requests, server {LATENCY * 1e3:g} ms: "
              f"plain httpx {plain * 1e3:.2f} ms, gacheck load {ours * 1e3:.2f} ms, "
              f"difference {(ours - plain) * 1e3:+.2f} ms (target: at most 1 ms slower)")
        runs, plain_runs = [], []
        for _ in range(5):
            result = run_load(facade.url, [ROUTE], 1000, 20, 60.0, 10.0)
            assert result.ok == 1000, result.errors
            runs.append(result)
            plain_runs.append(plain_concurrent(facade.url, 1000, 20))
        elapsed = statistics.median(r.elapsed_s for r in runs)
        server = 1000 * LATENCY / 20
        p95 = statistics.median(percentile(r.latencies, 0.95) or 0.0 for r in runs)
        print(f"1,000 requests at concurrency 20: {elapsed * 1e3:.0f} ms (server time "
              f"{server * 1e3:.0f} ms, ratio {elapsed / server:.2f}, target under 2); "
              f"{1000 / elapsed:.0f} req/s, client p95 {p95 * 1e3:.1f} ms; a bare httpx client "
              f"shared by 20 threads: {statistics.median(plain_runs) * 1e3:.0f} ms")
    ok = ours - plain <= 0.001 and elapsed < 2 * server
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
