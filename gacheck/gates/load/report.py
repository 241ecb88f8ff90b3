"""The server side of a ``load`` gate, and how the two views become one measurement."""

from __future__ import annotations

import math
import time
from datetime import timedelta
from typing import Any

from gacheck.collectors.service.load import LoadResult, Route
from gacheck.collectors.service.stream_timing import percentile
from gacheck.context import Context
from gacheck.core.errors import CollectorError
from gacheck.core.models import Evidence, Finding, QueryRecord, Status
from gacheck.core.units import Unit, format_value
from gacheck.gates.interface import Measurement


def _regex(routes: list[Route]) -> str:
    # RE2 inside a PromQL double-quoted string: a regex backslash is written twice.
    special = set(r"\.+*?()|[]{}^$")
    parts = ["".join("\\\\" + ch if ch in special else ch for ch in r.path) for r in routes]
    return "|".join(dict.fromkeys(parts))


def server_view(params: Any, routes: list[Route], result: LoadResult,
                ctx: Context) -> dict[str, Any]:
    """The façade's own p95 and request count for the load's interval, or why there are none."""
    if params.server_side == "off":
        return {"skipped": "server_side = off"}
    from gacheck.collectors.prometheus.client import client as prometheus_client

    if params.settle:
        time.sleep(params.settle)
    seconds = max(params.min_window, math.ceil(result.elapsed_s + params.settle))
    values = {"metric": params.server_latency_metric, "routes": _regex(routes),
              "window": f"{int(seconds)}s"}
    at = result.finished + timedelta(seconds=params.settle)
    view: dict[str, Any] = {"window_s": int(seconds), "at": at.isoformat(), "queries": []}
    try:
        client = prometheus_client(ctx)
        for key, template in (("p95_s", params.server_p95_query),
                              ("requests", params.server_count_query)):
            query = template
            for name, value in values.items():
                query = query.replace("{" + name + "}", value)
            answer = client.instant(query, at)
            view["queries"].append(answer.record)
            found = [v for s in answer.series for v in s.values if not math.isnan(v)]
            view[key] = found[0] if found else None
    except CollectorError as exc:
        view["unavailable"] = str(exc)
    return view


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value * 1000, 2)


def measurement(params: Any, base_url: str, routes: list[Route], result: LoadResult,
                server: dict[str, Any], limit: float) -> Measurement:
    lat = result.latencies
    p50, p95, p99 = (percentile(lat, q) for q in (0.50, 0.95, 0.99))
    errors = result.sent - result.ok
    error_rate = errors / result.sent if result.sent else 1.0
    client = {
        "requests": result.sent, "ok": result.ok, "errors": dict(result.errors),
        "error_rate": round(error_rate, 6),
        "p50_ms": _ms(p50), "p95_ms": _ms(p95), "p99_ms": _ms(p99),
        "max_ms": _ms(max(lat) if lat else None),
        "rps": round(result.sent / result.elapsed_s, 1) if result.elapsed_s else None,
        "elapsed_s": round(result.elapsed_s, 3), "stopped_by": result.stopped_by,
        "started": result.started.isoformat(), "finished": result.finished.isoformat(),
        "per_route": {name: {"sent": t.sent, "ok": t.ok,
                             "p95_ms": _ms(percentile(t.latencies, 0.95))}
                      for name, t in result.routes.items()},
    }
    findings: list[Finding] = []
    notes = [f"the load ran at wall-clock time {client['started']} .. {client['finished']}; "
             "--at does not move it"]
    status: Status | None = None
    if error_rate > params.max_error_rate:
        status = Status.FAIL
        findings.append(Finding(message=f"error rate {error_rate:.2%} > max_error_rate "
                                f"{params.max_error_rate:.2%}: {dict(result.errors)}",
                                code="load-errors"))
    queries: list[QueryRecord] = server.pop("queries", [])
    status = _compare(params, server, p95, result, findings, notes, status)
    details = {"base_url": base_url, "concurrency": params.concurrency,
               "requested": params.requests, "time_limit_s": limit,
               "routes": [{"name": r.name, "method": r.method, "path": r.path, "body": r.body}
                          for r in routes],
               "client": client, "server": server}
    evidence = Evidence(queries=queries, findings=findings, details=details, notes=notes)
    summary = (f"{result.sent} requests at concurrency {params.concurrency} in "
               f"{result.elapsed_s:.1f}s ({client['rps']} req/s), error rate {error_rate:.2%}")
    if result.ok < params.min_samples:
        return Measurement(p95, f"{summary}: {result.ok} 2xx answers, fewer than min_samples "
                           f"{params.min_samples}: no p95 to judge", evidence, Status.ERROR)
    if params.server_side == "required" and (
            server.get("unavailable") or server.get("p95_s") is None
            or server.get("requests") is None):
        why = server.get("unavailable") or "Prometheus has no server-side latency or count"
        return Measurement(p95, f"{summary}; server side unavailable: {why}", evidence,
                           Status.ERROR)
    shown = f"{summary}; p50 {format_value(p50, Unit.SECONDS)}, p99 " \
            f"{format_value(p99, Unit.SECONDS)}"
    if server.get("p95_s") is not None:
        shown += f"; server p95 {format_value(server['p95_s'], Unit.SECONDS)}"
    if findings:
        shown += f"; {findings[0].message}"
    return Measurement(p95, shown, evidence, status)


def _compare(params: Any, server: dict[str, Any], p95: float | None, result: LoadResult,
             findings: list[Finding], notes: list[str], status: Status | None) -> Status | None:
    if "skipped" in server:
        return status
    if "unavailable" in server:
        notes.append(f"server side not read: {server['unavailable']}")
        return status
    flag = Status.FAIL if params.disagreement == "fail" else Status.WARN
    worse = status or flag
    server_p95, counted = server.get("p95_s"), server.get("requests")
    if server_p95 is None or counted is None:
        notes.append("Prometheus has no server-side latency or request count for these routes")
        findings.append(Finding(message="no server-side view of the load (metrics absent)",
                                code="load-server-blind", severity="warning"))
        return worse
    if p95 and server_p95 > 0:
        ratio = p95 / server_p95
        server["client_server_p95_ratio"] = round(ratio, 3)
        if ratio > params.disagreement_factor or ratio < 1 / params.disagreement_factor:
            side = "under" if ratio > 1 else "over"
            findings.append(Finding(
                message=f"client p95 {format_value(p95, Unit.SECONDS)} vs server p95 "
                        f"{format_value(server_p95, Unit.SECONDS)} (x{ratio:.2f}, factor "
                        f"{params.disagreement_factor:g}): the server {side}-reports its "
                        "latency", code="load-p95-disagreement"))
            status = worse
    if counted < 0.9 * result.ok:
        findings.append(Finding(message=f"the server counted {counted:.0f} requests in the "
                                f"window, fewer than the {result.ok} answered",
                                code="load-count-disagreement"))
        status = worse
    return status
