"""How gacheck talks HTTP to Prometheus: settings, session, retries, and errors in words.

Kept apart from the query logic so the secret-handling and error wording can be read (and
tested) in one place. Secrets come only from ``ctx.secrets.from_env``; messages are built from
our own words plus Prometheus' JSON ``error`` text, never from exception reprs that may carry
URLs with credentials or request headers.
"""

from __future__ import annotations

import io
import json
import os
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from gacheck.collectors.prometheus.answer_limits import (
    AnswerCounter,
    BodyTooLarge,
    answer_counters,
    instants_asked,
    size_text,
)
from gacheck.collectors.prometheus.read_budget import ReadBudget
from gacheck.collectors.prometheus.request_budget import RequestBudget
from gacheck.context import Context
from gacheck.core.deadline import monotonic
from gacheck.core.errors import CollectorError
from gacheck.core.loopback import is_loopback_host

READ_CHUNK = 1024 * 1024
RETRY_STATUSES = (500, 502, 503, 504)
BACKOFF_FACTOR = 0.25  # urllib3 waits 0, 0.5 s, 1 s, ... between retries
CONNECT_TIMEOUT = 5.0
TENANT_HEADER = "X-Scope-OrgID"


@dataclass(frozen=True)
class ConnectionSettings:
    url: str
    timeout: float
    retries: int
    verify: bool | str
    max_points: int
    headers: dict[str, str] = field(default_factory=dict, repr=False)
    max_body: int = 256 * 1024 * 1024
    """Bytes of an answer read at most, counted after decompression (a gzip bomb stops here)."""
    auth: tuple[str, str] | None = field(default=None, repr=False)
    max_series: int = 10_000
    """Series in one range answer at most; more is an error before any is converted."""
    max_concurrency: int = 4
    chunk: float = 6 * 3600.0
    query_params: dict[str, str] = field(default_factory=dict)
    """Sent with every request: ``partial_response`` (Thanos; Prometheus ignores it)."""
    rules_url: str | None = None
    max_requests_per_gate: int = 2_000
    max_requests: int = 20_000

    @property
    def request_timeout(self) -> tuple[float, float]:
        """(connect, read) for requests. Connecting is quick or hopeless: a short limit keeps
        the retries inside a gate's time. Reading gets 2 s more than the query timeout sent to
        Prometheus, so that Prometheus' own "query timed out" is what the user reads."""
        return (max(1.0, min(CONNECT_TIMEOUT, self.timeout)), self.timeout + 2)

    @classmethod
    def from_context(cls, ctx: Context) -> ConnectionSettings:
        prom = ctx.config.prometheus
        url = (ctx.overrides.prometheus_url or prom.url).strip()
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise CollectorError(
                f"Prometheus URL must look like http://host:9090, got {parts.scheme or 'no scheme'}"
                f"://{parts.hostname or ''}"
            )
        ctx.secrets.add_url(url)  # credentials written into the URL are secrets too
        headers = dict(prom.headers)
        if prom.tenant is not None:  # Mimir/Cortex tenant; an explicit header is not overruled
            if headers.get(TENANT_HEADER, prom.tenant) != prom.tenant:
                raise CollectorError(f"[prometheus].tenant {prom.tenant!r} contradicts "
                                     f"headers.{TENANT_HEADER}; give one of them")
            headers[TENANT_HEADER] = prom.tenant
        token = _required_env(ctx, prom.bearer_token_env, "bearer_token_env")
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        auth = None
        if prom.basic_auth_user_env or prom.basic_auth_password_env:
            user = _required_env(ctx, prom.basic_auth_user_env, "basic_auth_user_env", secret=False)
            password = _required_env(ctx, prom.basic_auth_password_env, "basic_auth_password_env")
            auth = (user or "", password or "")
            ctx.secrets.add_basic_auth(*auth)  # a server may echo the header back
        verify: bool | str = prom.verify_tls
        if prom.verify_tls and prom.ca_bundle:
            bundle = ctx.resolve(prom.ca_bundle)
            if not bundle.is_file():
                raise CollectorError(f"[prometheus].ca_bundle: file not found: {prom.ca_bundle}")
            verify = str(bundle)
        params = {"partial_response": "true" if prom.partial_response else "false"}
        rules = urlsplit(prom.rules_url.strip()) if prom.rules_url else None
        if rules is not None and (rules.scheme not in ("http", "https") or not rules.hostname):
            raise CollectorError("[prometheus].rules_url must look like http://vmalert:8880")
        if rules is not None:
            ctx.secrets.add_url(prom.rules_url)  # credentials written into it are secrets too
        return cls(url=url.rstrip("/"), timeout=prom.timeout, retries=prom.retries,
                   verify=verify, max_points=prom.max_points, headers=headers, auth=auth,
                   max_body=prom.max_body, max_series=prom.max_series,
                   max_concurrency=prom.max_concurrency,
                   chunk=prom.chunk, query_params=params,
                   max_requests_per_gate=prom.max_requests_per_gate,
                   max_requests=prom.max_requests,
                   rules_url=prom.rules_url.strip().rstrip("/") if prom.rules_url else None)


def _required_env(ctx: Context, name: str | None, key: str, secret: bool = True) -> str | None:
    if not name:
        return None
    # a user name is not a secret: redacting it would blank out every word that equals it
    value = ctx.secrets.from_env(name) if secret else os.environ.get(name)
    if not value:
        raise CollectorError(f"env variable {name} (named by [prometheus].{key}) is not set")
    return value


def read_capped(response: Any, limit: int, seconds: float,
                max_series: int | None = None, budget: ReadBudget | None = None,
                instants: int | None = None) -> None:
    """Read a streamed ``requests`` response into ``response.content``: at most ``limit``
    bytes after decompression, within ``seconds`` in all (a trickle does not reset it).
    Beyond either, beyond ``max_series`` series, or (a range query's answer) with a series of
    more samples than its ``instants``, the response is emptied and closed, and
    ``BodyTooLarge`` (``TooManySeries``), ``MoreSamplesThanAsked`` or requests' ``ReadTimeout``
    raised; a body that breaks off is requests' ``ChunkedEncodingError``. With a ``budget``,
    answers read at the same time share it (``gacheck.collectors.prometheus.read_budget``)."""
    import requests
    import urllib3.exceptions as u3

    # BytesIO, not a list joined at the end: getvalue() hands over its buffer without a copy,
    # so a 200 MB answer is 200 MB in memory, not 400 MB for the moment of the join
    chunks = io.BytesIO()
    counters = answer_counters(max_series, instants)
    ticket = budget.start() if budget is not None else None
    deadline = monotonic() + seconds
    try:
        _read_within_caps(response, chunks, limit, counters, budget, ticket, deadline)
    except requests.exceptions.RequestException:  # ours, above (an OSError too)
        _discard(response, chunks)
        raise
    except u3.ReadTimeoutError as exc:
        _discard(response, chunks)
        raise requests.exceptions.ReadTimeout(str(exc)) from None
    except u3.DecodeError as exc:
        _discard(response, chunks)
        raise requests.exceptions.ContentDecodingError(str(exc)) from None
    except (u3.HTTPError, OSError) as exc:
        _discard(response, chunks)
        raise requests.exceptions.ChunkedEncodingError(str(exc)) from None
    except BaseException:
        _discard(response, chunks)
        raise
    finally:
        if ticket is not None and budget is not None:
            budget.end(ticket)
    response._content = chunks.getvalue()
    response._content_consumed = True
    chunks.close()
    # msgspec reads the bytes: no decoded text copy of a large body as requests' .json() makes.
    # A weak reference: the response holding a closure over itself was a cycle, which kept
    # every body (7 MB a piece) until the garbage collector ran, 196 MiB for a week of 1,000
    # series.
    own = weakref.ref(response)
    response.json = lambda **_: _envelope(own())


def _read_within_caps(
    response: Any, chunks: io.BytesIO, limit: int,
    counters: list[AnswerCounter], budget: ReadBudget | None,
    ticket: int | None, deadline: float,
) -> None:
    """The read loop of ``read_capped``: every chunk into ``chunks`` until the body ends,
    checked against each cap as it arrives (the shared budget, ``limit`` bytes, the series
    and samples counts, the deadline), so an answer too big, impossible or too slow stops
    before it is all in memory.
    A cap that is passed raises; ``read_capped`` empties and closes the response."""
    import requests

    received = 0
    while True:
        # read1: whatever arrived (a trickle cannot hold us past the deadline), and
        # urllib3 decompresses at most READ_CHUNK per call, so a bomb never expands whole
        chunk = response.raw.read1(READ_CHUNK, decode_content=True)
        if not chunk:
            break
        received += len(chunk)
        if ticket is not None and budget is not None and not budget.take(
                ticket, len(chunk), deadline):
            raise requests.exceptions.ReadTimeout("the answer took too long to arrive")
        if received > limit:
            raise BodyTooLarge(
                f"body too large: more than {size_text(limit)} after decompression "
                "([prometheus].max_body)"
            )
        for counter in counters:
            counter.feed(chunk)
        chunks.write(chunk)
        del chunk
        if monotonic() > deadline:
            raise requests.exceptions.ReadTimeout("the answer took too long to arrive")


@dataclass(frozen=True, slots=True)
class PackedSamples:
    """A range series' samples, converted while its answer is parsed (``parse_result`` takes
    them as they are): no list per sample is ever built for the whole answer."""

    times: list[float]
    values: list[float]


def _pack_result(body: Any) -> None:
    """Pack the samples of each series of ``data.result`` in place, sharing the timestamps of
    the common step grid between series; anything not well formed is left as it is, for
    ``parse_result`` to refuse with its reason."""
    data = body.get("data") if isinstance(body, dict) else None
    result = data.get("result") if isinstance(data, dict) else None
    if not isinstance(result, list):
        return
    shared: dict[Any, Any] = {}
    for item in result:
        if isinstance(item, dict) and "metric" in item and type(item.get("values")) is list:
            item["values"] = _pack(item["values"], shared)


def _pack(raw: list[Any], shared: dict[Any, Any]) -> Any:
    try:
        if any(type(p) is not list for p in raw):
            return raw
        times = [t for t, _ in raw]
        if any(type(t) is not float and type(t) is not int for t in times):
            return raw
        values = [float(v) for _, v in raw]
    except (TypeError, ValueError):
        return raw
    return PackedSamples([shared.setdefault(t, t) for t in times], values)


class NestedTooDeeply(ValueError):
    """A body nested deeper than the JSON parser goes (``[[[[...``): not a Prometheus answer."""


class NotJson(ValueError):
    """A body that is not JSON (a ``ValueError``, as ``json.loads`` raised)."""


def _envelope(response: Any) -> Any:
    """The parsed body, each series' samples packed (``refused_status`` judges its
    ``status``). msgspec decodes it (in C, five times faster than ``json.loads`` with a hook
    on a 300 KB answer). Once parsed, the body bytes are replaced by the envelope without its
    ``data`` (status, errors, warnings, infos): a large answer is then held once, as series."""
    import msgspec

    try:
        body = msgspec.json.decode(response._content)
    except RecursionError:
        raise NestedTooDeeply("nested too deeply to read") from None
    except msgspec.DecodeError as exc:
        raise NotJson(str(exc)) from None
    _pack_result(body)
    if isinstance(body, dict) and "data" in body:
        rest = {k: v for k, v in body.items() if k != "data"}
        response._content = json.dumps(rest, separators=(",", ":")).encode()
    return body


def _discard(response: Any, chunks: io.BytesIO) -> None:
    chunks.close()
    response._content, response._content_consumed = b"", True
    response.close()


def _capped_session(limit: int, seconds: float, max_series: int | None = None,
                    requests_budget: RequestBudget | None = None) -> Any:
    """A ``requests.Session`` that streams every answer and reads at most ``limit`` bytes
    within ``seconds``, and answers of at most ``max_series`` series; its answers being read
    together share one ``ReadBudget``; each request takes one from ``requests_budget``."""
    import requests

    budget = ReadBudget(limit)

    class CappedSession(requests.Session):
        def send(self, request: Any, **kwargs: Any) -> Any:
            if requests_budget is not None:
                requests_budget.take()  # raises before sending when a budget is spent
            streamed = kwargs.get("stream", False)
            response = super().send(request, **{**kwargs, "stream": True})
            if not streamed:
                read_capped(response, limit, seconds, max_series, budget,
                            instants_asked(request.url or ""))
            return response

    return CappedSession()


def is_loopback(url: str) -> bool:
    return is_loopback_host(urlsplit(url).hostname or "")


def build_api(settings: ConnectionSettings, on_response: Callable[..., None]) -> tuple[Any, Any]:
    """A ``PrometheusConnect`` over our own session, and that session."""
    from prometheus_api_client import PrometheusConnect

    from gacheck.collectors.prometheus.retry import DeadlineRetry

    session = _capped_session(settings.max_body, settings.request_timeout[1],
                              settings.max_series,
                              RequestBudget(settings.max_requests_per_gate, settings.max_requests))
    session.verify = settings.verify
    if settings.verify is False:  # the user opted out in the config; no warning per request
        import warnings

        from urllib3.exceptions import InsecureRequestWarning

        warnings.filterwarnings("ignore", category=InsecureRequestWarning)
    session.trust_env = False  # loopback only: no proxy from the environment
    session.params = dict(settings.query_params)  # merged into every request's own params
    if is_loopback(settings.url):
        # gzip saves nothing on loopback and costs CPU at both ends, which there share the
        # same cores: a 48h evaluation spent 5% of its time compressing and decompressing
        session.headers["Accept-Encoding"] = "identity"
    session.hooks["response"].append(on_response)
    retry = DeadlineRetry(  # no retry past the gate's time limit
        total=settings.retries, connect=settings.retries, read=0, status=settings.retries,
        backoff_factor=BACKOFF_FACTOR, status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset({"GET", "POST"}), raise_on_status=False,
    )
    api = PrometheusConnect(
        url=settings.url, headers=settings.headers or None, retry=retry, auth=settings.auth,
        session=session, timeout=settings.request_timeout,
    )
    return api, session
