"""PromQL against a real Prometheus, through prometheus-api-client.

One ``PrometheusClient`` per evaluation (``client(ctx)``), shared by the gates' threads. It is
probed once: when Prometheus cannot be reached, every Prometheus gate gets the same one clear
reason. Every query carries the evaluation instant and leaves a ``QueryRecord``; Prometheus'
own error text becomes the gate's error message; secrets never reach a message.
"""

from __future__ import annotations

import logging
import re
import threading
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from gacheck.collectors.prometheus.cache import CacheScope, ChunkCache, identity_of
from gacheck.collectors.prometheus.chunks import Span
from gacheck.collectors.prometheus.explain import explain, refused_status
from gacheck.collectors.prometheus.fetch import (
    Block,
    ImpossibleAnswer,
    decode_matrix,
    fetch_range,
    fetch_samples,
)
from gacheck.collectors.prometheus.http import ConnectionSettings, build_api
from gacheck.collectors.prometheus.results import QueryResult, Series, parse_result
from gacheck.context import Context
from gacheck.core.errors import CollectorError
from gacheck.core.models import QueryRecord
from gacheck.core.workpool import WorkPool

_SHORT_QUERY = 200
FLUSH_S = 120.0
"""How long an evaluation waits, at its end, for the cache's pending entries."""
log = logging.getLogger(__name__)


def display_url(url: str) -> str:
    """The URL without any ``user:password@`` part, fit for messages and evidence."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path.rstrip("/"), "", ""))


def short(promql: str) -> str:
    text = " ".join(promql.split())
    return text if len(text) <= _SHORT_QUERY else text[: _SHORT_QUERY - 1] + "…"


class PrometheusClient:
    """Instant and range PromQL at given instants, with records and explained errors.

    Range queries go through ``gacheck.collectors.prometheus.range_query`` (pieces, concurrency,
    cache, orjson); instant queries, the probe and ``get`` through prometheus-api-client.
    """

    def __init__(self, settings: ConnectionSettings, cache: ChunkCache | None = None,
                 cache_margin_s: float = 360.0) -> None:
        self.settings = settings
        self.url = display_url(settings.url)
        self._local = threading.local()
        self._api, self._session = build_api(settings, self._remember)
        self.cache = cache
        self.cache_margin_s = cache_margin_s
        self.scope = CacheScope(self.url, identity_of(settings.headers, settings.auth,
                                                     settings.query_params))
        # Every range piece of the evaluation waits here: [prometheus] max_concurrency.
        self._slots = threading.BoundedSemaphore(settings.max_concurrency)
        # ... and is fetched on one of these threads, shared by every gate's queries.
        self.fetch_pool = WorkPool(settings.max_concurrency, name="gacheck-fetch")

    @property
    def session(self) -> Any:
        return self._session

    @property
    def api_headers(self) -> dict[str, str] | None:
        return self._api.headers

    def server_timeout(self) -> str:
        return self._server_timeout()

    def _remember(self, response: Any, *args: Any, **kwargs: Any) -> None:
        self._local.response = response

    def _last_response(self) -> Any:
        return getattr(self._local, "response", None)

    def _server_timeout(self) -> str:
        # Prometheus reads "2.5s" as no duration at all: whole milliseconds always parse.
        return f"{max(1, round(self.settings.timeout * 1000))}ms"

    def instant(self, promql: str, at: datetime, *, limited: bool = True) -> QueryResult:
        """``promql`` evaluated at ``at`` (range vectors like ``x[48h]`` give raw samples).

        ``limited``: send the query timeout to Prometheus (the probe's trivial query does not).
        """
        params = {"time": f"{at.timestamp():.3f}"}
        if limited:
            params["timeout"] = self._server_timeout()
        raw = self._call(promql, lambda: self._api.custom_query(promql, params=params))
        series = self._parse(promql, raw)
        warnings = self._warnings()
        record = QueryRecord(
            promql=promql, kind="instant", time=at, series=len(series),
            samples=sum(len(s.values) for s in series), warnings=warnings,
        )
        return QueryResult(series, record, warnings)

    def range(self, promql: str, start: datetime, end: datetime, step_s: float) -> QueryResult:
        """``promql`` evaluated every ``step_s`` from ``start`` to ``end`` (both included).

        Fetched in pieces (``[prometheus] chunk``), closed ones from the cache when there is
        one; the series hold numpy arrays."""
        from gacheck.collectors.prometheus.range_query import run_range

        merged = run_range(self, promql, start, end, step_s, self.cache, self.scope,
                           self.cache_margin_s)
        series = [Series(labels, times, values) for labels, times, values in merged.series]
        shown = merged.chunks if len(merged.chunks) > 1 or any(
            c.source != "prometheus" for c in merged.chunks) else []
        record = QueryRecord(
            promql=promql, kind="range", start=start, end=end, step_s=step_s,
            series=len(series), samples=sum(len(s.values) for s in series),
            warnings=merged.warnings, chunks=shown,
        )
        return QueryResult(series, record, merged.warnings)

    def samples(self, selector: str, at: datetime, lookback_s: float) -> QueryResult:
        """Every stored sample of ``selector`` in the ``lookback_s`` before ``at`` (``at``
        included): the instant query ``selector[lookback]``, recorded as such. With a cache,
        fetched in chunks and the closed ones kept; without, one request (``samples``):
        decoded into arrays either way, never as a Python object per sample."""
        from gacheck.collectors.prometheus.promql import duration
        from gacheck.collectors.prometheus.samples import run_samples

        promql = f"{selector}[{duration(lookback_s)}]"
        cached = self.cache is not None and self.scope is not None
        merged = run_samples(self, selector, at - timedelta(seconds=lookback_s), at,
                             self.cache if cached else None, self.scope, self.cache_margin_s,
                             duration(lookback_s))
        series = [Series(labels, times, values) for labels, times, values in merged.series]
        record = QueryRecord(
            promql=promql, kind="instant", time=at, series=len(series),
            samples=sum(len(s.values) for s in series), warnings=merged.warnings,
            chunks=merged.chunks if cached else [],
        )
        return QueryResult(series, record, merged.warnings)

    def fetch_body(self, promql: str, span: Span, step_ms: int) -> bytes:
        """One range request's body (``gacheck.collectors.prometheus.fetch``), errors in
        words; at most ``max_concurrency`` of the evaluation at a time."""
        return self._fetch(promql, lambda: fetch_range(self, promql, span, step_ms))

    def fetch_samples_body(self, selector: str, span: Span, written: str | None = None) -> bytes:
        """One piece of raw samples (``samples``), errors in words."""
        return self._fetch(selector, lambda: fetch_samples(self, selector, span, written))

    def _fetch(self, promql: str, request: Any) -> bytes:
        with self._slots:
            response = None
            try:
                body, response = request()
                if body is not None:
                    return body
                raise _HttpStatus()
            except Exception as exc:  # requests, urllib3 and the like
                reason = explain(exc, response, self.url, self.settings.timeout)
                raise CollectorError(f"{reason} (query: {short(promql)})") from None
            finally:
                # The response hook keeps each thread's last response for instant queries;
                # here it would keep this body (200 MB) alive after the caller dropped it.
                self._local.response = None

    def decode_body(self, body: bytes, span: Span, promql: str,
                    step_ms: int | None = None) -> Block:
        """A range body as arrays; Prometheus' own error, or ours, in words. ``step_ms``: a
        range query's step (each series has at most ``span``'s instants); ``None`` for raw
        samples."""
        try:
            return decode_matrix(body, span, self.settings.max_series, step_ms)
        except (CollectorError, ValueError) as failed:
            # Worded as for every other answer: "status": "error" on HTTP 200 is refused.
            reason = _refused_status(body) or (
                str(failed) if isinstance(failed, CollectorError) else
                f"{self.url} did not answer like Prometheus ({_unlike(failed)})")
            raise CollectorError(f"{reason} (query: {short(promql)})") from None

    def get(self, path: str, params: dict[str, str] | None = None, *,
            base: str | None = None) -> Any:
        """``data`` of another API endpoint (``/api/v1/rules``), with the same auth and TLS;
        ``base``: another server's URL (vmalert's) instead of the query API's."""
        url = (base or self.settings.url).rstrip("/") + path

        def call() -> Any:
            response = self._session.get(
                url, params=params or {}, headers=self._api.headers, auth=self._api.auth,
                timeout=self.settings.request_timeout,
            )
            if response.status_code != 200:
                raise _HttpStatus()
            return response.json()["data"]

        return self._call(path, call)

    def probe(self, at: datetime) -> str | None:
        """``None`` when Prometheus answers a trivial query at ``at``; else the reason."""
        try:
            self.instant("vector(1)", at, limited=False)
        except CollectorError as exc:
            return str(exc)
        return None

    def _warnings(self) -> list[str]:
        response = self._last_response()
        # Checking the bytes first spares parsing a large body twice when there is no warning.
        if response is None or b'"warnings"' not in response.content:
            return []
        try:
            return [str(w) for w in response.json().get("warnings", [])]
        except ValueError:
            return []

    def _parse(self, what: str, raw: Any) -> list[Series]:
        """``parse_result``, with a result of the wrong shape explained instead of raised."""
        try:
            return parse_result(raw)
        except (TypeError, ValueError, KeyError, AttributeError, IndexError):
            raise CollectorError(
                f"{self.url} did not answer like Prometheus (a result of the wrong shape) "
                f"(query: {short(what)})"
            ) from None

    def _call(self, what: str, call: Any) -> Any:
        self._local.response = None
        try:
            answer = call()
        except Exception as exc:  # requests, urllib3, the client and JSON errors alike
            reason = (refused_status(self._last_response())
                      or explain(exc, self._last_response(), self.url, self.settings.timeout))
            raise CollectorError(f"{reason} (query: {short(what)})") from None
        refused = refused_status(self._last_response())
        if refused is not None:  # "status": "error" on HTTP 200 is still an error
            raise CollectorError(f"{refused} (query: {short(what)})")
        return answer


def client(ctx: Context) -> PrometheusClient:
    """The evaluation's client, after the one probe; raises the probe's reason otherwise."""
    settings = ctx.shared("prometheus:settings", lambda: ConnectionSettings.from_context(ctx))
    cache = ctx.shared("prometheus:cache", lambda: _cache(ctx))
    if cache is not None:  # once per evaluation, on a thread of its own: it is only disk work
        ctx.shared("prometheus:evict", lambda: _evict_beside(cache, ctx.config.prometheus))
    margin = ctx.config.prometheus.cache_margin
    prometheus = ctx.shared("prometheus:client",
                            lambda: PrometheusClient(settings, cache, margin))
    failure = ctx.shared("prometheus:probe", lambda: prometheus.probe(ctx.at))
    if failure is not None:
        raise CollectorError(_strip_query(failure))
    member = getattr(ctx.gate, "member", None)
    if member is not None and member.fuse:  # a for_each gate: one query for its template
        from gacheck.collectors.prometheus.fused import FusedClient

        return FusedClient(prometheus, ctx, member)  # type: ignore[return-value]
    return prometheus


def _cache(ctx: Context) -> ChunkCache | None:
    """The evaluation's chunk cache: entries written on a thread of its own, all of them on
    disk before the evaluation returns (``gacheck.core.at_end``)."""
    if not ctx.overrides.cache_dir:
        return None
    from gacheck.core.at_end import at_end

    cache = ChunkCache(ctx.overrides.cache_dir).with_writer()
    writer = cache.writer
    assert writer is not None

    def flush() -> None:
        if not writer.close(FLUSH_S):
            log.warning("the chunk cache's last entries were not written within %gs", FLUSH_S)

    at_end(ctx, flush)
    return cache


def _evict_beside(cache: ChunkCache, prom: Any) -> threading.Thread:
    thread = threading.Thread(target=cache.evict, args=(prom.cache_keep,), daemon=True,
                              name="gacheck-cache-evict")
    thread.start()
    return thread


def _strip_query(message: str) -> str:
    return re.sub(r" \(query: vector\(1\)\)$", "", message)


class _Answered:
    """A 200 answer's body in the shape ``refused_status`` reads."""

    status_code = 200

    def __init__(self, content: bytes) -> None:
        self.content = content

    def json(self) -> Any:
        import json

        return json.loads(self.content)


class _HttpStatus(Exception):
    """A non-200 answer of a non-query endpoint; ``explain`` reads the response itself."""


def utc(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


def window_start(at: datetime, window_s: float) -> datetime:
    return at - timedelta(seconds=window_s)


def _refused_status(body: bytes) -> str | None:
    try:
        return refused_status(_Answered(body))
    except (ValueError, RecursionError):  # not JSON, or deeper than a decoder goes
        return None


def _unlike(failed: Exception) -> str:
    """Why a range body is not a Prometheus matrix, in the words the instant path uses."""
    text = str(failed)
    if isinstance(failed, ImpossibleAnswer):  # its own words say what cannot be
        return text
    if "nested too deeply" in text:
        return "a body nested too deeply to read"
    if "not a Prometheus matrix" in text:
        return "unexpected response body"
    return "a result of the wrong shape"
