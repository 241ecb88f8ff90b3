"""``gacheck validate --check-queries``: evaluate each Prometheus gate's query once.

A kind offers its queries through an optional ``queries_to_check(gate)`` method. Each is run as
an instant query at the evaluation instant; one that Prometheus rejects, or that returns no
series, is reported, so a typo in a metric name shows up before a soak, not after it.
"""

from __future__ import annotations

from dataclasses import dataclass

from gacheck.collectors.prometheus import client
from gacheck.context import Context
from gacheck.errors import CollectorError


@dataclass(frozen=True)
class QueryCheck:
    gate_id: str
    promql: str
    outcome: str
    """``ok``, ``empty`` (no series) or ``error`` (Prometheus rejected it, or unreachable)."""
    detail: str


def check_queries(ctx: Context) -> list[QueryCheck]:
    from gacheck.gates import KINDS
    from gacheck.templates import expand_at

    ctx = expand_at(ctx)  # for_each templates whose values come from a query
    checks: list[QueryCheck] = []
    for gate in ctx.config.gates:
        if gate.expansion_problem is not None:
            status, reason = gate.expansion_problem
            checks.append(QueryCheck(gate.id, gate.for_each.values_query(),
                                     "empty" if status == "no_data" else "error", reason))
            continue
        offer = getattr(KINDS[gate.kind], "queries_to_check", None)
        if offer is None:
            continue
        for promql in offer(gate):
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
