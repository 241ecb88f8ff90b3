"""Judging a rate-limit curve, and the server's own count of refusals beside it.

Findings (each fails the gate): a 429 at a step at or below ``no_refusal_below`` of the
declared limit (the limit lies, or the limiter is too tight); no 429 at a step at or above
``must_refuse_above`` (a limiter that never refuses); any 5xx; inconsistent headers; the
header families declaring different limits. The value compares the sustained rate once
refusals began (answers the limiter let through: 2xx, or 4xx other than 429; the median over
the refusing steps above the limit) with the declared limit: ``|measured / declared - 1|``,
the worst route's.
"""

from __future__ import annotations

import math
import statistics
from datetime import timedelta
from typing import Any

from gacheck.context import Context
from gacheck.core.errors import CollectorError
from gacheck.core.models import Evidence, Finding, QueryRecord, Status
from gacheck.gates.interface import Measurement


def _route_findings(params: Any, c: dict[str, Any]) -> list[Finding]:
    where = f"{c['method']} {c['path']}"
    found = []
    limits = {h["family"]: h["limit"] / h["window_s"] for h in c["headers"]}
    if len(set(round(v, 6) for v in limits.values())) > 1:
        found.append(Finding(message=f"{where}: the header families declare different "
                             f"limits: {limits}", code="rl-headers-disagree"))
    for s in c["steps"]:
        at = f"{where} at {s['share']:.0%} of the declared limit ({s['offered_rps']} req/s)"
        if s["share"] <= params.no_refusal_below and s["refused"]:
            found.append(Finding(message=f"{at}: {s['refused']} of {s['sent']} refused with "
                                 "429 below the declared limit", code="rl-early-refusal"))
        if s["share"] >= params.must_refuse_above and not s["refused"]:
            found.append(Finding(message=f"{at}: no 429 at all; the limiter never refuses",
                                 code="rl-never-refuses"))
        if s["server_errors"]:
            found.append(Finding(message=f"{at}: {s['server_errors']} answers were 5xx",
                                 code="rl-5xx"))
        for problem in s["header_problems"]:
            found.append(Finding(message=f"{at}: {problem}", code="rl-headers"))
    return found


def _ratio(c: dict[str, Any]) -> float | None:
    sustained = [s["sustained_rps"] for s in c["steps"]
                 if s["share"] > 1 and s["sustained_rps"] is not None]
    if not any(s["refused"] for s in c["steps"]):  # never refused: all it let through
        sustained = [max(s["accepted_rps"] or 0.0 for s in c["steps"])]
    if not sustained:
        return None
    c["measured_rps"] = round(statistics.median(sustained), 2)
    c["measured_over_declared"] = round(c["measured_rps"] / c["declared_rps"], 4)
    onset = next((s["share"] for s in c["steps"] if s["refused"]), None)
    c["first_refusing_step"] = onset
    return float(c["measured_over_declared"])


def measurement(params: Any, base_url: str, principal: str, curves: list[dict[str, Any]],
                server: dict[str, Any], budget: Any, timing: dict[str, float]) -> Measurement:
    findings: list[Finding] = []
    ratios: list[float] = []
    for c in curves:
        findings.extend(_route_findings(params, c))
        ratio = _ratio(c)
        if ratio is not None:
            ratios.append(ratio)
    queries: list[QueryRecord] = server.pop("queries", [])
    findings.extend(server.pop("findings", []))
    value = max(abs(r - 1) for r in ratios) if ratios else None
    notes = [f"principal: {principal}", *budget.notes,
             "the load ran at wall-clock time; --at does not move it"]
    if "unavailable" in server:
        notes.append(f"server side not compared: {server['unavailable']}")
    details = {"base_url": base_url, "principal": principal, "requests_sent": budget.used,
               "curve": curves, "server": server, "timing": timing}
    evidence = Evidence(queries=queries, findings=findings, details=details, notes=notes)
    shown = "; ".join(_summary(c) for c in curves)
    # the message leads with the gravest: a 5xx, then a limit that lies, then no refusal
    order = ["rl-5xx", "rl-early-refusal", "rl-never-refuses", "rl-headers-disagree",
             "rl-headers"]
    findings.sort(key=lambda f: order.index(f.code) if f.code in order else len(order))
    failing = [f for f in findings if f.severity == "error"]
    if failing:
        return Measurement(value, f"{shown}; {failing[0].message}"
                           + (f" (+{len(failing) - 1} more)" if len(failing) > 1 else ""),
                           evidence, Status.FAIL)
    if value is None:
        return Measurement(None, f"{shown}; no step held refusals long enough to measure the "
                           "sustained rate", evidence, Status.NO_DATA)
    status = Status.WARN if findings else None
    return Measurement(value, shown, evidence, status)


def _summary(c: dict[str, Any]) -> str:
    text = f"{c['path']}: declared {c['declared_rps']:g} req/s ({c['declared_by']})"
    if c.get("measured_rps") is not None and c["first_refusing_step"] is None:
        text += f", accepted up to {c['measured_rps']:g} req/s without a 429"
    elif c.get("measured_rps") is not None:
        text += (f", sustained {c['measured_rps']:g} req/s under refusal, 429s from the "
                 f"{c['first_refusing_step']:.0%} step")
    return text


def server_counts(params: Any, curves: list[dict[str, Any]], ctx: Context) -> dict[str, Any]:
    """``lukhas_ratelimit_exceeded_total`` over the curve's interval, beside the client's 429s;
    absent metrics or Prometheus are a note, never a failure."""
    if params.server_side == "off":
        return {"skipped": "server_side = off"}
    import time
    from datetime import datetime

    from gacheck.collectors.prometheus.client import client as prometheus_client

    view: dict[str, Any] = {"queries": [], "routes": {}, "findings": []}
    if params.settle:
        time.sleep(params.settle)
    try:
        client = prometheus_client(ctx)
        for c in curves:
            start, end = (datetime.fromisoformat(c[k]) for k in ("started", "finished"))
            window = math.ceil((end - start).total_seconds() + params.settle)
            query = params.exceeded_query.replace("{route}", c["path"]).replace(
                "{window}", f"{window}s")
            answer = client.instant(query, end + timedelta(seconds=params.settle))
            view["queries"].append(answer.record)
            values = [v for s in answer.series for v in s.values if not math.isnan(v)]
            _compare(view, params, c, values[0] if values else None)
    except CollectorError as exc:
        view["unavailable"] = str(exc)
    return view


def _compare(view: dict[str, Any], params: Any, c: dict[str, Any],
             counted: float | None) -> None:
    client_429 = sum(s["refused"] for s in c["steps"])
    view["routes"][c["path"]] = {"client_429": client_429, "server_exceeded": counted}
    if counted is None:
        view["routes"][c["path"]]["note"] = "no lukhas_ratelimit_exceeded_total series"
        return
    if abs(counted - client_429) > max(2.0, params.server_tolerance * client_429):
        view["findings"].append(Finding(
            message=f"{c['path']}: the server counted {counted:.0f} refusals, the client saw "
                    f"{client_429} 429s", code="rl-server-count", severity="warning"))
