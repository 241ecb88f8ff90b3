"""Keyed POSTs through the official SDK, and counters read off a Prometheus text endpoint.

``keyed_post`` sends one request with an ``Idempotency-Key`` through the SDK's own request
path (``client.post`` with ``cast_to=httpx.Response``: the SDK's auth, headers and time
limits, no retries) and returns the status and the body as sent. ``counter_total`` sums the
samples of one counter (optionally narrowed by labels) on a ``/metrics`` page.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any

from gacheck.core.errors import CollectorError

MAX_METRICS_BYTES = 8 * 1024 * 1024
_SELECTOR = re.compile(r'^([a-zA-Z_:][\w:]*)\s*(?:\{(.*)\})?\s*$')
_LABEL = re.compile(r'\s*([a-zA-Z_]\w*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*,?')


@dataclass(frozen=True)
class Keyed:
    key: str
    status: int | None
    body: bytes
    error: str | None = None

    def json(self) -> Any:
        import json

        try:
            return json.loads(self.body)
        except ValueError:
            return None


def keyed_post(client: Any, path: str, body: Any, key: str) -> Keyed:
    import httpx
    import openai

    try:
        response = client.post(path, cast_to=httpx.Response, body=body,
                               options={"headers": {"Idempotency-Key": key}})
        return Keyed(key, response.status_code, response.read())
    except openai.APIStatusError as exc:
        return Keyed(key, exc.status_code, exc.response.read())
    except openai.APIError as exc:
        return Keyed(key, None, b"", f"{type(exc).__name__}: {exc}"[:200])


def concurrent(client: Any, path: str, body: Any, key: str, count: int) -> list[Keyed]:
    """``count`` identical keyed POSTs released at the same instant."""
    barrier = threading.Barrier(count)
    answers: list[Keyed] = []
    lock = threading.Lock()

    def one() -> None:
        try:
            barrier.wait(10)
        except threading.BrokenBarrierError:
            pass
        answer = keyed_post(client, path, body, key)
        with lock:
            answers.append(answer)

    threads = [threading.Thread(target=one, daemon=True) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def counter_total(url: str, selector: str, timeout: float) -> float | None:
    """The sum of ``selector``'s samples on the page (``None``: the counter is not there)."""
    import httpx
    from prometheus_client.parser import text_string_to_metric_families

    match = _SELECTOR.match(selector)
    if match is None:
        raise CollectorError(f"counter selector {selector!r}: expected name{{label=\"v\"}}")
    name, labels = match.group(1), dict(_LABEL.findall(match.group(2) or ""))
    try:
        with httpx.Client(timeout=timeout, trust_env=False) as http:
            response = http.get(url)
    except httpx.HTTPError as exc:
        raise CollectorError(f"{url}: {type(exc).__name__}: {exc}") from None
    if response.status_code != 200:
        raise CollectorError(f"{url} answered {response.status_code}")
    text = response.content[:MAX_METRICS_BYTES].decode("utf-8", "replace")
    total, seen = 0.0, False
    try:
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                if sample.name in (name, f"{name}_total") and \
                        all(sample.labels.get(k) == v for k, v in labels.items()):
                    total, seen = total + sample.value, True
    except ValueError as exc:
        raise CollectorError(f"{url}: not the Prometheus text format: {exc}") from None
    return total if seen else None
