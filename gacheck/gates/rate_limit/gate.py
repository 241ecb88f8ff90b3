"""``rate_limit``: the limiter's tuning curve, per route and principal (the token sent).

For each route: one request reads the declared limit from the answer's headers (or the
config's ``limit``), then the load steps through fixed arrival rates (``steps``, shares of the
declared limit), each for ``step_time``, with a pause between steps for the bucket to refill.
Per step: offered and accepted requests/s, the 429 and other-error shares, latency p50/p95,
the sustained accepted rate once refusals began, and whether the headers were consistent.
The value is how far the measured sustained rate is from the declared limit, as a share of
it (worst route: ``|measured / declared - 1|``); the judgement
is in ``gacheck.gates.rate_limit.judge``. Loopback only unless ``allow_hosts`` names the host;
``max_requests`` and ``time_limit`` bound the whole gate.
"""

from __future__ import annotations

import hashlib
from typing import Any, ClassVar, Literal
from urllib.parse import urlsplit

from pydantic import Field

from gacheck.collectors.service.facade import exclusive
from gacheck.config.model import Duration, GateSpec
from gacheck.context import Context
from gacheck.core.deadline import monotonic
from gacheck.core.errors import GateError
from gacheck.core.loopback import is_loopback_host
from gacheck.core.units import Unit
from gacheck.gates.interface import GateKind, Measurement, Params
from gacheck.gates.load.gate import RouteParams

DEFAULT_ROUTES: list[dict[str, Any]] = [{"name": "models", "method": "GET", "path": "/v1/models"}]
"""LUKHAS limits every route (20 requests/s unless said otherwise): the cheapest one, no body."""
EXCEEDED_QUERY = 'sum(increase(lukhas_ratelimit_exceeded_total{route="{route}"}[{window}]))'


class RateLimitParams(Params):
    base_url: str = Field(default="http://127.0.0.1:8000", pattern=r"^https?://[^\s/]+")
    token_env: str | None = None
    routes: list[RouteParams] = Field(
        default_factory=lambda: [RouteParams.model_validate(r) for r in DEFAULT_ROUTES],
        min_length=1, max_length=10)
    limit: float | None = Field(default=None, gt=0, description="requests per window; "
                                "overrides the headers")
    window: Duration = Field(default=1.0, gt=0, description="the window of limits whose "
                             "headers do not say theirs")
    steps: list[float] = Field(default_factory=lambda: [0.25, 0.5, 0.9, 1.1, 1.5, 2.0],
                               min_length=2, max_length=12)
    step_time: Duration = Field(default=4.0, gt=0, le=120)
    cooldown: Duration | None = Field(default=None, description="pause between steps; "
                                      "default: the reset the headers announce, at most 10s")
    concurrency: int = Field(default=32, ge=1, le=256)
    request_timeout: Duration = Field(default=10.0, gt=0)
    max_requests: int = Field(default=3000, ge=10, le=100_000)
    time_limit: Duration = Field(default=120.0, gt=0)
    allow_hosts: list[str] = Field(default_factory=list)
    no_refusal_below: float = Field(default=0.9, gt=0, le=1)
    must_refuse_above: float = Field(default=1.5, ge=1)
    error_code: str = "rate_limit_exceeded"
    max_retry_after: Duration = Field(default=60.0, gt=0)
    server_side: Literal["auto", "off"] = "auto"
    exceeded_query: str = Field(default=EXCEEDED_QUERY, description="{route} {window}")
    settle: Duration = 0.0
    server_tolerance: float = Field(default=0.1, ge=0)


class RateLimitGate(GateKind):
    params: ClassVar[type[Params]] = RateLimitParams
    unit: ClassVar[Unit | None] = Unit.RATIO
    default_threshold: ClassVar[dict[str, Any]] = {"max": "10%"}
    non_negative: ClassVar[bool] = True

    def evaluate(self, gate: GateSpec, ctx: Context) -> Measurement:
        from gacheck.gates.rate_limit.judge import measurement, server_counts
        from gacheck.gates.rate_limit.route import Budget, curve

        params: RateLimitParams = gate.params
        base_url = (ctx.overrides.facade_url or params.base_url).rstrip("/")
        host = urlsplit(base_url).hostname or ""
        if not is_loopback_host(host) and host not in params.allow_hosts:
            raise GateError(f"refusing to load {host}: only loopback hosts unless allow_hosts "
                            "names it")
        headers, principal = {}, "client address (no token)"
        if token := ctx.secrets.from_env(params.token_env):
            headers["Authorization"] = f"Bearer {token}"
            principal = f"token from env {params.token_env} (sha256 " \
                        f"{hashlib.sha256(token.encode()).hexdigest()[:8]}…)"
        curves = []
        with exclusive(ctx) as waited:
            started = monotonic()
            budget = Budget(params.max_requests, monotonic() + min(
                params.time_limit, max(5.0, gate.timeout * 0.85 - params.settle - waited)))
            for route in params.routes:
                curves.append(curve(base_url, route, headers, params, budget))
            ran = monotonic() - started
        server = server_counts(params, curves, ctx)
        return measurement(params, base_url, principal, curves, server, budget,
                           {"waited_s": round(waited, 2), "curves_s": round(ran, 2)})
