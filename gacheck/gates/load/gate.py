"""``load``: a bounded synthetic load against the façade, checked against the server's view.

N requests at concurrency C over the configured routes (default: the seed plan's embeddings
and chat-completions bodies), stopping at N or at ``time_limit``. The value is the client-side
p95 latency of the 2xx answers; p50/p99, error rate and requests/s are evidence, and an error
rate above ``max_error_rate`` fails the gate. Only loopback hosts are loaded unless
``allow_hosts`` names the host. Then, where Prometheus answers, the façade's own p95 and
request count over the same interval are read (``server_p95_query``, ``server_count_query``)
and a client/server p95 ratio beyond ``disagreement_factor`` either way is a finding.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal
from urllib.parse import urlsplit

from pydantic import Field

from gacheck.collectors.service.facade import exclusive
from gacheck.config.model import Duration, GateSpec
from gacheck.context import Context
from gacheck.core.errors import GateError
from gacheck.core.loopback import is_loopback_host
from gacheck.core.units import Unit
from gacheck.gates.interface import GateKind, Measurement, Params

SEED_ROUTES: list[dict[str, Any]] = [
    {"name": "embeddings", "method": "POST", "path": "/v1/embeddings",
     "body": {"input": "test embedding", "model": "text-embedding-ada-002"}},
    {"name": "chat completions", "method": "POST", "path": "/v1/chat/completions",
     "body": {"messages": [{"role": "user", "content": "Hello"}], "model": "gpt-4"}},
]
P95_QUERY = ('histogram_quantile(0.95, sum by (le) (rate({metric}_bucket{route=~"{routes}"}'
             "[{window}])))")
COUNT_QUERY = 'sum(increase(http_server_requests_total{route=~"{routes}"}[{window}]))'


class RouteParams(Params):
    name: str | None = None
    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE"] = "POST"
    path: str = Field(pattern=r"^/")
    body: Any = None


class LoadParams(Params):
    base_url: str = Field(default="http://127.0.0.1:8000", pattern=r"^https?://[^\s/]+")
    token_env: str | None = None
    routes: list[RouteParams] = Field(
        default_factory=lambda: [RouteParams.model_validate(r) for r in SEED_ROUTES],
        min_length=1)
    requests: int = Field(default=200, ge=1, le=100_000)
    concurrency: int = Field(default=10, ge=1, le=256)
    time_limit: Duration = Field(default=60.0, gt=0)
    request_timeout: Duration = Field(default=30.0, gt=0)
    allow_hosts: list[str] = Field(default_factory=list,
                                   description="hosts other than loopback that may be loaded")
    max_error_rate: float = Field(default=0.01, ge=0, le=1)
    min_samples: int = Field(default=20, ge=1, description="fewer 2xx answers: no p95")
    server_side: Literal["auto", "required", "off"] = "auto"
    server_latency_metric: str = "http_server_request_duration_seconds"
    server_p95_query: str = Field(default=P95_QUERY, description="{metric} {routes} {window}")
    server_count_query: str = Field(default=COUNT_QUERY, description="{routes} {window}")
    min_window: Duration = Field(default=300.0, description="shortest server-side window")
    settle: Duration = Field(default=0.0, description="wait before reading the server side "
                             "(a scrape interval lets the last scrape see the load)")
    disagreement_factor: float = Field(default=2.0, gt=1)
    disagreement: Literal["warn", "fail"] = "warn"


class LoadGate(GateKind):
    params: ClassVar[type[Params]] = LoadParams
    unit: ClassVar[Unit | None] = Unit.SECONDS
    default_threshold: ClassVar[dict[str, Any]] = {"max": "1s"}

    def evaluate(self, gate: GateSpec, ctx: Context) -> Measurement:
        from gacheck.collectors.service.load import Route, run_load
        from gacheck.gates.load.report import measurement, server_view

        params: LoadParams = gate.params
        base_url = (ctx.overrides.facade_url or params.base_url).rstrip("/")
        host = urlsplit(base_url).hostname or ""
        if not is_loopback_host(host) and host not in params.allow_hosts:
            raise GateError(f"refusing to load {host}: only loopback hosts unless allow_hosts "
                            "names it")
        headers = {}
        if token := ctx.secrets.from_env(params.token_env):
            headers["Authorization"] = f"Bearer {token}"
        routes = [Route(r.name or f"{r.method} {r.path}", r.method, r.path, r.body)
                  for r in params.routes]
        with exclusive(ctx) as waited:
            # Leave the gate's own time limit room for the server side and the report.
            limit = min(params.time_limit,
                        max(1.0, gate.timeout * 0.8 - params.settle - waited))
            result = run_load(base_url, routes, params.requests, params.concurrency, limit,
                              params.request_timeout, headers)
        server = server_view(params, routes, result, ctx)
        return measurement(params, base_url, routes, result, server, limit)
