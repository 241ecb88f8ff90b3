"""``gacheck validate --check-queries``: evaluate each Prometheus gate's query once.

A kind offers its queries through an optional ``queries_to_check(gate)`` method. Each is run as
an instant query at the evaluation instant; one that Prometheus rejects, or that returns no
series, is reported, so a typo in a metric name shows up before a soak, not after it.

``alerts`` gates are checked their own way: no alert firing is the healthy answer, so their
``ALERTS`` selector only has to be accepted; what must not be empty is the list of alerting
rules of their severities that Prometheus has loaded (without one, nothing could fire).
"""

from __future__ import annotations

from dataclasses import dataclass

from gacheck.collectors.prometheus.client import client
from gacheck.collectors.prometheus.rules import alerting_rules
from gacheck.config.model import GateSpec
from gacheck.context import Context
from gacheck.core.errors import CollectorError
from gacheck.core.units import plural
from gacheck.gates import KINDS
from gacheck.gates.alerts import alerts_selector
from gacheck.run.for_each import expand_at


@dataclass(frozen=True)
class QueryCheck:
    gate_id: str
    promql: str
    outcome: str
    """``ok``, ``empty`` (no series) or ``error`` (Prometheus rejected it, or unreachable)."""
    detail: str


def check_queries(ctx: Context) -> list[QueryCheck]:
    ctx = expand_at(ctx)  # for_each templates whose values come from a query
    checks: list[QueryCheck] = []
    for gate in ctx.config.gates:
        if gate.expansion_problem is not None:
            status, reason = gate.expansion_problem
            assert gate.for_each is not None  # set only on a query template that did not expand
            checks.append(QueryCheck(gate.id, gate.for_each.values_query(),
                                     "empty" if status == "no_data" else "error", reason))
            continue
        if gate.kind == "alerts":
            checks += _alerts_checks(ctx, gate)
            continue
        for promql in KINDS[gate.kind].queries_to_check(gate) or []:
            try:
                found = client(ctx).instant(promql, ctx.at)
            except CollectorError as exc:
                checks.append(QueryCheck(gate.id, promql, "error", ctx.secrets.redact(str(exc))))
                continue
            if found.series:
                checks.append(QueryCheck(gate.id, promql, "ok", f"{len(found.series)} series"))
            else:
                checks.append(QueryCheck(gate.id, promql, "empty", "no series at this instant"))
    return checks


def unchecked_gates(ctx: Context) -> list[str]:
    """Gates that have no Prometheus query to check (commands, files, HTTP...)."""
    return [g.id for g in ctx.config.gates
            if g.kind != "alerts" and KINDS[g.kind].queries_to_check(g) is None]


def _alerts_checks(ctx: Context, gate: GateSpec) -> list[QueryCheck]:
    params = gate.params
    selector = alerts_selector(params)
    try:
        prom = client(ctx)
        found = prom.instant(selector, ctx.at)
    except CollectorError as exc:
        return [QueryCheck(gate.id, selector, "error", ctx.secrets.redact(str(exc)))]
    firing = len(found.series)
    checks = [QueryCheck(gate.id, selector, "ok", f"accepted; {plural(firing, 'alert')} "
                                                  "firing at this instant")]
    if not params.check_rules:
        return checks
    listing = "GET /api/v1/rules?type=alert"
    severities = "/".join(params.severities)
    try:
        loaded = [r for r in alerting_rules(prom) if r.severity in params.severities]
    except CollectorError as exc:
        return [*checks, QueryCheck(gate.id, listing, "error", ctx.secrets.redact(str(exc)))]
    if not loaded:
        return [*checks, QueryCheck(gate.id, listing, "empty", f"no alerting rule with severity "
                                    f"{severities} is loaded: nothing could fire")]
    broken = [r for r in loaded if r.broken]
    if broken:
        return [*checks, QueryCheck(gate.id, listing, "error", f"{plural(len(broken), 'rule')} "
                                    f"cannot fire: {broken[0].problem()}")]
    rules = sorted({r.name for r in loaded})
    names = ", ".join(rules[:5]) + (", ..." if len(rules) > 5 else "")
    return [*checks, QueryCheck(gate.id, listing, "ok", f"{plural(len(rules), 'alerting rule')} "
                                f"with severity {severities} loaded ({names})")]
