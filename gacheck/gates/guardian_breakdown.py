"""``guardian_breakdown``: why Guardian denies, and which served routes it never decides on.

Three instant queries over the window (``increase`` over ``[window]`` at the instant): denials
by ``reason`` (top reasons with their shares), decisions by ``route`` and ``outcome``, and the
façade's traffic by ``route``. A route that served requests but has no Guardian decision is a
policy coverage hole; the value is their number (``max`` 0). ``exempt_routes`` are never holes.
No decisions at all, or no traffic by route, is ``no_data``: coverage cannot be told.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field

from gacheck.config.model import Duration, GateSpec
from gacheck.context import Context
from gacheck.core.errors import NoDataError
from gacheck.core.models import Evidence, Finding
from gacheck.core.units import Unit
from gacheck.gates.interface import GateKind, Measurement, Params

DENIED = "sum by (reason) (increase(lukhas_guardian_denied_total{selector}[{window}]))"
DECISIONS = ("sum by (route, outcome) (increase(lukhas_guardian_decision_total{selector}"
             "[{window}]))")
TRAFFIC = "sum by (route) (increase(http_server_requests_total{selector}[{window}]))"


class GuardianBreakdownParams(Params):
    window: Duration | None = Field(default=None, description="default: settings.window")
    selector: str = Field(default="", pattern=r"^(\{.*\})?$",
                          description='label matchers added to every query, "{job=...}"')
    denied_query: str = Field(default=DENIED, description="{selector} {window} are filled in")
    decisions_query: str = DECISIONS
    traffic_query: str = TRAFFIC
    top: int = Field(default=5, ge=1, le=50)
    exempt_routes: list[str] = Field(
        default_factory=lambda: ["/health", "/healthz", "/readyz", "/metrics"])
    min_requests: float = Field(default=1.0, ge=0,
                                description="a route with fewer requests is not served")


class GuardianBreakdownGate(GateKind):
    params: ClassVar[type[Params]] = GuardianBreakdownParams
    unit: ClassVar[Unit | None] = Unit.COUNT
    default_threshold: ClassVar[dict[str, Any]] = {"max": 0}

    def evaluate(self, gate: GateSpec, ctx: Context) -> Measurement:
        from gacheck.collectors.prometheus.client import client
        from gacheck.collectors.prometheus.promql import duration

        params: GuardianBreakdownParams = gate.params
        window = duration(params.window or ctx.config.settings.window)
        prometheus = client(ctx)
        answers = {name: prometheus.instant(query, ctx.at)
                   for name, query in _queries(params, window).items()}
        queries = [a.record for a in answers.values()]

        def by(name: str, label: str) -> dict[str, float]:
            found: dict[str, float] = {}
            for series in answers[name].series:
                value = series.values[-1] if series.values else 0.0
                if value == value:  # NaN: no increase computable
                    key = series.labels.get(label, "")
                    found[key] = found.get(key, 0.0) + value
            return found

        reasons, decided, traffic = by("denied", "reason"), by("decisions", "route"), \
            by("traffic", "route")
        if not decided:
            raise NoDataError(f"no Guardian decisions in the last {window}",
                              Evidence(queries=queries))
        if not traffic:
            raise NoDataError(f"no façade traffic by route in the last {window}: coverage "
                              "cannot be told", Evidence(queries=queries))
        return _measurement(params, window, queries, reasons, decided, traffic)

    def queries_to_check(self, gate: GateSpec) -> list[str]:
        from gacheck.collectors.prometheus.promql import duration

        return list(_queries(gate.params, duration(gate.params.window or 3600.0)).values())


def _queries(params: GuardianBreakdownParams, window: str) -> dict[str, str]:
    templates = {"denied": params.denied_query, "decisions": params.decisions_query,
                 "traffic": params.traffic_query}
    return {name: t.replace("{selector}", params.selector).replace("{window}", window)
            for name, t in templates.items()}


def _measurement(params: GuardianBreakdownParams, window: str, queries: list[Any],
                 reasons: dict[str, float], decided: dict[str, float],
                 traffic: dict[str, float]) -> Measurement:
    denied_total = sum(reasons.values())
    top = sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))[: params.top]
    top_rows = [{"reason": r, "denials": round(v), "share": round(v / denied_total, 4)
                 if denied_total else None} for r, v in top]
    served = {r: n for r, n in traffic.items() if n >= params.min_requests}
    holes = sorted(r for r in served if decided.get(r, 0.0) <= 0
                   and r not in params.exempt_routes)
    routes = [{"route": r, "requests": round(traffic.get(r, 0.0)),
               "decisions": round(decided.get(r, 0.0)),
               "exempt": r in params.exempt_routes} for r in sorted(set(traffic) | set(decided))]
    findings = [Finding(message=f"route {r} served {round(served[r])} requests in the last "
                        f"{window} with no Guardian decision", code="policy-coverage-hole")
                for r in holes]
    notes = [] if denied_total else [f"no denials in the last {window}: no reasons to rank"]
    evidence = Evidence(queries=queries, findings=findings, notes=notes, details={
        "window": window, "denials": round(denied_total), "top_reasons": top_rows,
        "reasons_total": len(reasons), "routes": routes, "coverage_holes": holes})
    lead = ", ".join(f"{r['reason']} {r['share']:.0%}" for r in top_rows[:3]) or "no denials"
    message = f"top deny reasons: {lead}; {len(served)} served route(s)"
    if holes:
        message += f"; no decisions on {', '.join(holes)}"
    return Measurement(float(len(holes)), message, evidence)
