"""The façade's HTTP-side families for a plan with ``facade_http``: what the research audit reads.

- ``http_server_requests_total{route, status_code}`` (LUKHAS'),
- ``http_server_request_duration_seconds`` histogram by ``route`` (the load gate's default),
- ``lukhas_guardian_denied_total{reason, route}`` (LUKHAS'),
- ``lukhas_idempotency_requests_total`` / ``lukhas_idempotency_cache_hits_total`` (assumed names).

Its own random generator (seed + 1000), so the Guardian series of a plan stay as they were.
"""

from __future__ import annotations

import numpy as np

from gacheck.promlab.model import BUCKETS, Plan
from gacheck.promlab.openmetrics import format_le
from gacheck.promlab.series import Family, Grid, Series, counter, cumulative_float, keep

HTTP_HIST = "http_server_request_duration_seconds"


def _route_latency(
    http, grid: Grid, labels: dict[str, str], per_route: np.ndarray, offset: float
) -> list[Series]:
    """One route's latency histogram (buckets, ``+Inf``, sum and count) for ``per_route``
    requests per scrape, all following the plan's one latency profile; ``offset`` is the count
    before the history starts. ``http`` is the plan's ``model.FacadeHttp``."""
    buckets = []
    for edge, share in zip(BUCKETS, http.latency.cumulative, strict=True):
        values = counter(per_route * share, grid.segment, offset * share)
        buckets.append(Series(f"{HTTP_HIST}_bucket", {**labels, "le": format_le(edge)},
                              *keep(grid, grid.alive, values)))
    count = counter(per_route, grid.segment, offset)
    total = np.round(cumulative_float(per_route * http.latency.mean_seconds, grid.segment,
                                       offset * http.latency.mean_seconds), 6)
    buckets += [
        Series(f"{HTTP_HIST}_bucket", {**labels, "le": "+Inf"}, *keep(grid, grid.alive,
                                                                      count)),
        Series(f"{HTTP_HIST}_sum", labels, *keep(grid, grid.alive, total)),
        Series(f"{HTTP_HIST}_count", labels, *keep(grid, grid.alive, count)),
    ]
    return buckets


def facade_families(plan: Plan, grid: Grid) -> list[Family]:
    http = plan.facade_http
    assert http is not None
    rng = np.random.default_rng(plan.seed + 1000)
    hour = (grid.t % 86400) / 3600.0
    shape = 0.6 + 0.4 * np.sin(2 * np.pi * (hour - 9) / 24)
    rps = http.peak_rps * shape * rng.lognormal(0.0, 0.1, grid.t.shape)
    rps[~grid.alive] = 0.0
    base = {"job": plan.job, "instance": plan.instance}
    offset_steps = 2000.0
    requests, buckets, denied = [], [], []
    idem_requests = np.zeros(grid.t.shape)
    for route, weight in http.routes:
        per_route = rps * grid.step * weight
        deny = http.deny_ratio if route in http.deny_routes else 0.0
        for code, share in (("200", 1.0 - deny - http.error_ratio), ("403", deny),
                            ("500", http.error_ratio)):
            if share <= 0:
                continue
            counts = per_route * share
            values = counter(counts, grid.segment, float(counts.mean()) * offset_steps)
            requests.append(Series("http_server_requests_total",
                                   {**base, "route": route, "status_code": code},
                                   *keep(grid, grid.alive, values)))
        offset = float(per_route.mean()) * offset_steps
        buckets += _route_latency(http, grid, {**base, "route": route}, per_route, offset)
        if deny:
            for reason, share in http.deny_reasons:
                counts = per_route * deny * share
                values = counter(counts, grid.segment, float(counts.mean()) * offset_steps)
                denied.append(Series("lukhas_guardian_denied_total",
                                     {**base, "reason": reason, "route": route},
                                     *keep(grid, grid.alive, values)))
        if route != "/v1/models" and route != "/health":
            idem_requests += per_route * http.idempotency_share
    hits = idem_requests * http.idempotency_hit_ratio * rng.uniform(0.9, 1.1, grid.t.shape)
    idempotency = [
        Series(name, base, *keep(grid, grid.alive, counter(values, grid.segment,
                                                              float(values.mean()) * 100)))
        for name, values in (("lukhas_idempotency_requests_total", idem_requests),
                             ("lukhas_idempotency_cache_hits_total", hits))]
    return [
        Family("http_server_requests", "counter", "HTTP requests by route and status",
               tuple(requests)),
        Family(HTTP_HIST, "histogram", "HTTP request latency by route", tuple(buckets)),
        Family("lukhas_guardian_denied", "counter", "Guardian denials by reason",
               tuple(denied)),
        Family("lukhas_idempotency_requests", "counter", "Requests with an Idempotency-Key",
               (idempotency[0],)),
        Family("lukhas_idempotency_cache_hits", "counter",
               "Idempotency-Key requests answered from the cache", (idempotency[1],)),
    ]
