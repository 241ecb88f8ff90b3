"""One piece of a range query: sent on the client's session, decoded with msgspec, as numpy.

``requests``' ``.json()`` (the standard library's decoder over a text copy of the body) and a
per-point float conversion were most of a large query's cost; here the body's bytes go to a
typed msgspec decoder once (3x faster than orjson on a 1,000-series piece, and without
orjson's intermediate document, which tripled the peak). The decoder leaves each series'
samples encoded; they become two arrays one series at a time, so a piece never exists as
Python objects whole. An answer with more series than ``[prometheus].max_series`` is refused
(while it is read, by ``SeriesCounter``; exactly, here, before any series is converted):
judging each of 100,000 series is minutes of work and gigabytes, and no release gate reads
that many.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from gacheck.collectors.prometheus.answer_limits import TooManySeries
from gacheck.collectors.prometheus.chunks import Span
from gacheck.core.errors import CollectorError

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


class ImpossibleAnswer(NotPrometheus):
    """A well-formed matrix that no Prometheus gives for the query asked (a series with more
    samples than the query's instants); the message says what is impossible."""


class PrometheusRefused(CollectorError):
    """``status: error`` in a 200 answer; the message is Prometheus' own."""


def label_key(labels: dict[str, str]) -> Key:
    return tuple(sorted(labels.items()))


def decode_matrix(body: bytes, span: Span, max_series: int = 10_000,
                  step_ms: int | None = None) -> Block:
    """A ``query_range`` body to a ``Block``; anything else raises ``NotPrometheus``, more
    than ``max_series`` series ``TooManySeries``. With ``step_ms`` (a range query's, not a
    read of raw samples), a series with more samples than ``span`` has instants raises
    ``ImpossibleAnswer`` before its arrays are allocated."""
    import msgspec

    from gacheck.collectors.prometheus.points import MoreSamplesThanInstants, decode_points
    from gacheck.collectors.prometheus.shapes import DECODER, MatrixSeries

    try:
        answer = DECODER.decode(body)
    except RecursionError:  # [[[[...: deeper than the decoder goes
        raise NotPrometheus("nested too deeply to read") from None
    except msgspec.DecodeError:
        _refused(body)
        raise NotPrometheus(_why_not(body)) from None
    if answer.status != "success" or answer.data.resultType != "matrix":
        _refused(body)
        raise NotPrometheus("not a matrix")
    series: dict[Key, tuple[Any, Any]] = {}
    result = answer.data.result
    if len(result) > max_series:  # SeriesCounter stops most floods while they are read
        raise TooManySeries(len(result), max_series)
    released = cast("list[MatrixSeries | None]", result)  # each series let go once it is read
    limit = span.points(step_ms) if step_ms is not None else None
    for index in range(len(result)):
        item, released[index] = result[index], None
        try:  # a piece of the series at a time (points): never its samples as objects
            times, values = decode_points(item.values, limit)
        except MoreSamplesThanInstants as impossible:
            raise ImpossibleAnswer(str(impossible)) from None
        except (msgspec.DecodeError, ValueError, RecursionError):
            raise NotPrometheus("malformed samples") from None
        key = label_key(item.metric)
        if key in series:
            raise NotPrometheus("one label set twice")
        series[key] = (times, values)  # integer ms already
    return Block(span, series, tuple(answer.warnings), len(body))


def _why_not(body: bytes) -> str:
    """JSON with a ``data`` member has the wrong shape; anything else is not Prometheus'."""
    import msgspec

    try:
        answer = msgspec.json.decode(body)
    except RecursionError:
        return "nested too deeply to read"
    except msgspec.DecodeError:
        return "not a Prometheus matrix"
    return "wrong shape" if isinstance(answer, dict) and "data" in answer else (
        "not a Prometheus matrix")


def _refused(body: bytes) -> None:
    """Raise Prometheus' own error when the body is one (``status: error``)."""
    import msgspec

    try:
        answer = msgspec.json.decode(body)
    except (msgspec.DecodeError, RecursionError):  # [[[[...: deeper than the decoder goes
        return
    if isinstance(answer, dict) and answer.get("status") == "error":
        kind = answer.get("errorType") or "error"
        raise PrometheusRefused(f"Prometheus error ({kind}): {answer.get('error')}")


def fetch_range(client: Any, promql: str, span: Span, step_ms: int) -> tuple[bytes | None, Any]:
    """One ``query_range`` request for ``span`` on the client's session (its retries, TLS and
    auth): the body, or ``None`` and the response when it was not a 200."""
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
    return response.content, response


def fetch_samples(client: Any, selector: str, span: Span,
                  written: str | None = None) -> tuple[bytes | None, Any]:
    """The raw samples of ``selector`` from ``span.first_ms`` to ``span.last_ms``: an instant
    query at the last millisecond over a range one millisecond longer (trimmed by the caller,
    so that the left end is the same whether the server includes it or not). ``written``:
    the range as the user's look-back reads (``2d``), asked as it is (the window in one
    query, without a cache)."""
    settings = client.settings
    length = written or f"{span.last_ms - span.first_ms + 1}ms"
    params = {
        "query": f"{selector}[{length}]",
        "time": f"{span.last_ms / 1000:.3f}", "timeout": client.server_timeout(),
    }
    response = client.session.get(
        settings.url + "/api/v1/query", params=params, headers=client.api_headers,
        auth=settings.auth, timeout=settings.request_timeout,
    )
    if response.status_code != 200:
        return None, response
    return response.content, response


def trim(block: Block, span: Span) -> Block:
    """The block's samples within ``span``: views (no copy) where the instants are in order,
    as Prometheus sends them; a mask otherwise."""
    import numpy as np

    series = {}
    for key, (times, values) in block.series.items():
        if len(times) and times[0] >= span.first_ms and times[-1] <= span.last_ms:
            series[key] = (times, values)
            continue
        if bool(np.all(times[1:] > times[:-1])):
            begin = int(np.searchsorted(times, span.first_ms, side="left"))
            end = int(np.searchsorted(times, span.last_ms, side="right"))
            if end > begin:
                series[key] = (times[begin:end], values[begin:end])
            continue
        inside = (times >= span.first_ms) & (times <= span.last_ms)
        if inside.any():
            series[key] = (times[inside], values[inside])
    return Block(span, series, block.warnings, block.received, block.cached)
