"""``histogram_quantile``: a latency quantile from a Prometheus histogram, judged "sustained".

Written for "PDP p95 < 10ms sustained": the gate builds
``histogram_quantile(q, sum by (le, ...) (rate(metric_bucket{matchers}[5m])))``; ``rule`` names
a recording rule (``guardian:pdp_latency:p95``) to read instead. The value is interpolated
inside a bucket, so the evidence says where the threshold sits among the bucket edges; a
threshold strictly inside a bucket is judged from the bucket shares at the edges around it
(``gacheck.sli.buckets``), and what they cannot tell is indeterminate (a warning at worst).
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

from pydantic import Field, field_validator, model_validator

from gacheck.collectors.prometheus.client import PrometheusClient, client
from gacheck.collectors.prometheus.promql import (
    check_labels,
    duration,
    summed,
    with_matchers,
)
from gacheck.config.model import Duration, GateSpec
from gacheck.context import Context
from gacheck.core.models import QueryRecord
from gacheck.core.units import Unit, format_duration
from gacheck.gates.interface import GateKind, Measurement, Params
from gacheck.sli.bucket_resolution import resolver
from gacheck.sli.buckets import bracket
from gacheck.sli.sustained import evaluate_sustained, start_precheck
from gacheck.sli.sustained_inputs import Alongside, Resolver, SustainedParams


class HistogramQuantileParams(SustainedParams):
    metric: str | None = Field(default=None, description="histogram name, without _bucket")
    quantile: float = Field(default=0.95, gt=0, lt=1)
    matchers: str = Field(default="", description='label matchers, e.g. route="/v1/responses"')
    by: list[str] = Field(default_factory=list, description="one quantile per value of these")
    rate_window: Duration = Field(default=300.0, gt=0)
    rule: str | None = Field(default=None, description="a recording rule to read instead")
    min_events: int | None = Field(
        default=None, ge=0, description="fewer observations per rate window: idle; "
        "default 1/(1-quantile), e.g. 20 for p95")

    @field_validator("by")
    @classmethod
    def _labels(cls, value: list[str]) -> list[str]:
        return check_labels([v for v in value if v != "le"])

    @field_validator("metric")
    @classmethod
    def _base_name(cls, value: str | None) -> str | None:
        return value.removesuffix("_bucket") if value else value

    @model_validator(mode="after")
    def _source(self) -> HistogramQuantileParams:
        if self.metric is None and self.rule is None:
            raise ValueError("give metric (a histogram), or rule (a recording rule)")
        return self


def min_events(params: HistogramQuantileParams) -> int:
    if params.min_events is not None:
        return params.min_events
    return math.ceil(1 / (1 - params.quantile) - 1e-9)


def quantile_query(params: HistogramQuantileParams) -> str:
    window = duration(params.rate_window)
    if params.rule is not None:
        quantile = params.rule
    else:
        buckets = with_matchers(f"{params.metric}_bucket", params.matchers)
        group = ", ".join(["le", *params.by])
        quantile = (f"histogram_quantile({params.quantile:g}, sum by ({group}) "
                    f"(rate({buckets}[{window}])))")
    needed = min_events(params)
    if params.metric is None or needed <= 1:
        return quantile
    # A p95 of five requests is noise: instants with fewer observations become NaN (idle).
    # x * b / b with b = (events >= bool N) is x where b is 1 and 0/0 = NaN where it is 0.
    total = with_matchers(f"{params.metric}_bucket", _and(params.matchers, 'le="+Inf"'))
    enough = f"({summed(f'increase({total}[{window}])', params.by)} >= bool {needed})"
    return f"{quantile} * {enough} / {enough}"


def presence_query(params: HistogramQuantileParams) -> str | None:
    """Present wherever the histogram was scraped, 0 when idle (``gacheck.sli.idle_fill``)."""
    if params.metric is None:
        return None
    total = with_matchers(f"{params.metric}_bucket", _and(params.matchers, 'le="+Inf"'))
    return summed(f"increase({total}[{duration(params.rate_window)}])", params.by)


def _and(matchers: str, extra: str) -> str:
    inner = matchers.strip().strip("{}").strip()
    return f"{inner}, {extra}" if inner else extra


def share_query(params: HistogramQuantileParams, le: str) -> str:
    """The share of observations ≤ the edge ``le``, per series of the quantile query."""
    window = duration(params.rate_window)
    assert params.metric is not None

    def rate(edge: str) -> str:
        selector = with_matchers(f"{params.metric}_bucket",
                                 _and(params.matchers, f'le="{edge}"'))
        return summed(f"rate({selector}[{window}])", params.by)

    return f"{rate(le)} / {rate('+Inf')}"


def bucket_note(edges: list[float], threshold: float, quantile: float) -> str | None:
    """Where the threshold sits among the bucket edges, and what that means for the verdict."""
    finite = sorted(e for e in edges if math.isfinite(e))
    if not finite:
        return None
    q = f"p{quantile * 100:g}"
    shown = format_duration(threshold)
    for index, edge in enumerate(finite):
        if math.isclose(edge, threshold, rel_tol=1e-9, abs_tol=1e-12):
            lower = format_duration(finite[index - 1]) if index else "0"
            return (f"the threshold {shown} is the bucket edge le=\"{edge:g}\": histogram_quantile "
                    f"interpolates linearly inside the {lower}–{shown} bucket, so {q} values near "
                    f"{shown} are estimates; the pass/fail comparison itself is exact (it asks "
                    f"whether {quantile:.0%} of observations fell in buckets ≤ {shown})")
    above = [e for e in finite if e > threshold]
    below = [e for e in finite if e < threshold]
    if not above:
        return (f"the threshold {shown} is above the highest finite bucket edge "
                f"{format_duration(finite[-1])}: a quantile beyond it reads as that edge or +Inf")
    lower = format_duration(below[-1]) if below else "0"
    return (f"the threshold {shown} lies inside the {lower}–{format_duration(above[0])} bucket: "
            f"{q} there is a linear interpolation, so each instant is judged from the shares of "
            f"observations ≤ {lower} and ≤ {format_duration(above[0])} instead; where they "
            "cannot tell, the instant is indeterminate")


class HistogramQuantileGate(GateKind):
    params: ClassVar[type[Params]] = HistogramQuantileParams
    unit: ClassVar[Unit | None] = Unit.SECONDS
    non_negative: ClassVar[bool] = True  # a negative value is impossible: error
    default_threshold: ClassVar[dict[str, Any]] = {}

    def evaluate(self, gate: GateSpec, ctx: Context) -> Measurement:
        params: HistogramQuantileParams = gate.params
        before: list[QueryRecord] = []
        notes: list[str] = []
        details: dict[str, Any] = {"quantile": params.quantile}
        if params.metric is not None and min_events(params) > 1:
            details["min_events"] = min_events(params)
            notes.append(f"instants whose {duration(params.rate_window)} rate window holds fewer "
                         f"than {min_events(params)} observations count as idle: a quantile of "
                         "a handful of requests is noise, not a level")
        if params.rule is not None:
            details["rule"] = params.rule
        lookup = None
        if params.metric is not None:
            client(ctx)  # the probe first: its one reason, not a pre-check's, when unreachable
            lookup = start_precheck(lambda: self._buckets(gate, params, ctx))
        idle = "no traffic"
        if params.metric is not None and min_events(params) > 1:
            idle = (f"no traffic, or fewer than {min_events(params)} observations per "
                    f"{duration(params.rate_window)}; see min_events")
        return evaluate_sustained(gate, ctx, quantile_query(params), before=before,
                                  notes=notes, details=details, idle_means=idle,
                                  alongside=lookup, presence=presence_query(params))

    def _buckets(self, gate: GateSpec, params: HistogramQuantileParams,
                 ctx: Context) -> Alongside:
        """The bucket edges at ``--at``, where the threshold sits among them, and the resolver
        of instants inside the threshold's bucket; run beside the quantile's range query."""
        buckets = with_matchers(f"{params.metric}_bucket", params.matchers)
        query = f"group by (le) ({buckets})"
        prom = client(ctx)
        if isinstance(prom, PrometheusClient):
            # One lookup per selector and evaluation: the quantile gates of a histogram (p50,
            # p95, p99 of one service) share it; a failed one is not kept (the next gate asks).
            # A for_each member's client shares its fused lookup already.
            found = ctx.shared(f"prometheus:bucket-edges:{ctx.at.isoformat()}:{query}",
                               lambda: prom.instant(query, ctx.at))
        else:
            found = prom.instant(query, ctx.at)
        labels = {float(s.labels["le"]): s.labels["le"] for s in found.series
                  if "le" in s.labels}
        edges = sorted(labels)
        upper = gate.threshold.max is not None
        limit = gate.threshold.max if upper else gate.threshold.min
        note = bucket_note(edges, limit or 0.0, params.quantile)
        around = bracket(edges, limit or 0.0)
        resolve: Resolver | None = None
        if around is not None:
            resolve = resolver(ctx, around, labels, upper, params.quantile,
                               lambda le: share_query(params, le))
        return Alongside(records=[found.record], notes=[note] if note else [],
                         details={"bucket_edges": [f"{e:g}" for e in edges]}, resolver=resolve)

    def queries_to_check(self, gate: GateSpec) -> list[str]:
        params: HistogramQuantileParams = gate.params
        if params.metric is None:
            return [quantile_query(params)]
        return [quantile_query(params), with_matchers(f"{params.metric}_bucket", params.matchers)]
