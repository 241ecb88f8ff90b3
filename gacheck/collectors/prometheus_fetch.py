"""One piece of a range query: sent on the client's session, decoded with orjson, as numpy.

``requests``' ``.json()`` (the standard library's decoder over a text copy of the body) and a
per-point float conversion were most of a large query's cost; here the body's bytes go to
orjson once and each series becomes two arrays as soon as its piece arrives, so the decoded
JSON of one piece is all that is ever held at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gacheck.collectors.prometheus_chunks import Span
from gacheck.errors import CollectorError

Key = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Block:
    """The series of one span: per label set, timestamps (integer ms) and values (float64)."""

    span: Span
    series: dict[Key, tuple[Any, Any]]
    warnings: tuple[str, ...] = ()
    received: int = 0
    """Bytes of the body (0 when read from the cache)."""
    cached: bool = False


class NotPrometheus(ValueError):
    """A 200 answer that is not a Prometheus matrix (``explain`` words it)."""


class PrometheusRefused(CollectorError):
    """``status: error`` in a 200 answer; the message is Prometheus' own."""


def label_key(labels: dict[str, str]) -> Key:
    return tuple(sorted(labels.items()))


def decode_matrix(body: bytes, span: Span) -> Block:
    """A ``query_range`` body to a ``Block``; anything else raises ``NotPrometheus``."""
    import numpy as np
    import orjson

    try:
        answer = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise NotPrometheus("not JSON") from None
    if not isinstance(answer, dict):
        raise NotPrometheus("not an object")
    if answer.get("status") == "error":
        kind = answer.get("errorType") or "error"
        raise PrometheusRefused(f"Prometheus error ({kind}): {answer.get('error')}")
    data = answer.get("data")
    if answer.get("status") != "success" or not isinstance(data, dict):
        raise NotPrometheus("no data")
    if data.get("resultType") != "matrix" or not isinstance(data.get("result"), list):
        raise NotPrometheus("not a matrix")
    series: dict[Key, tuple[Any, Any]] = {}
    for item in data["result"]:
        metric = item.get("metric") if isinstance(item, dict) else None
        points = item.get("values") if isinstance(item, dict) else None
        if not isinstance(metric, dict) or not isinstance(points, list):
            raise NotPrometheus("malformed series")
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in metric.items()):
            raise NotPrometheus("malformed labels")
        try:
            times = np.fromiter((p[0] for p in points), np.float64, len(points))
            values = np.array([p[1] for p in points], dtype=np.float64)
        except (TypeError, ValueError, IndexError, KeyError):
            raise NotPrometheus("malformed samples") from None
        key = label_key(metric)
        if key in series:
            raise NotPrometheus("one label set twice")
        series[key] = (np.rint(times * 1000).astype(np.int64), values)
    warnings = answer.get("warnings") or []
    shown = tuple(str(w) for w in warnings) if isinstance(warnings, list) else ()
    return Block(span, series, shown, len(body))


def fetch_range(client: Any, promql: str, span: Span, step_ms: int) -> tuple[Block | None, Any]:
    """One ``query_range`` request for ``span`` on the client's session (its retries, TLS and
    auth): the block, or ``None`` and the response when it was not a 200."""
    settings = client.settings
    params = {
        "query": promql, "start": f"{span.first_ms / 1000:.3f}",
        "end": f"{span.last_ms / 1000:.3f}", "step": f"{step_ms / 1000:g}",
        "timeout": client.server_timeout(),
    }
    response = client.session.get(
        settings.url + "/api/v1/query_range", params=params, headers=client.api_headers,
        auth=settings.auth, timeout=settings.request_timeout,
    )
    if response.status_code != 200:
        return None, response  # explain() words it from the response itself
    return decode_matrix(response.content, span), response
