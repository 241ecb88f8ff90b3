"""The budget part of ``error_budget``: events over the whole period, at the instant ``at``."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from gacheck.collectors.prometheus.client import PrometheusClient
from gacheck.collectors.prometheus.promql import duration
from gacheck.core.errors import CollectorError, NoDataError
from gacheck.core.models import Evidence, QueryRecord
from gacheck.core.units import format_duration
from gacheck.gates.error_budget.params import EVENTS_NOTE, ErrorBudgetParams

_START_CHECK = 3600.0


@dataclass(frozen=True)
class Spent:
    error_ratio: float
    remaining: float
    summary: str
    records: list[QueryRecord]
    details: dict[str, Any]
    notes: list[str] = field(default_factory=list)


def _scalar(prom: PrometheusClient, promql: str, at: datetime,
            records: list[QueryRecord]) -> float | None:
    result = prom.instant(promql, at)
    records.append(result.record)
    values = [v for s in result.series for v in s.values]
    if len(result.series) > 1:
        raise CollectorError(f"{promql} returns {len(result.series)} series; expected one",
                             Evidence(queries=records))
    return values[0] if values else None


def budget_at(prom: PrometheusClient, params: ErrorBudgetParams, at: datetime) -> Spent:

    records: list[QueryRecord] = []
    period = format_duration(params.period)
    notes: list[str] = []
    # The history must reach the start of the period, or the budget claims more than it saw.
    start = at - timedelta(seconds=params.period - _START_CHECK)
    probe = (f"sum(increase({params.total}[{duration(_START_CHECK)}]))" if params.total
             else params.error_ratio(_START_CHECK))
    if _scalar(prom, probe, start, records) is None:
        raise NoDataError(f"the history does not reach back to the start of the {period} "
                          f"period ({probe} is empty at {start.isoformat()}): a budget over "
                          "less than the period is no evidence for it", Evidence(queries=records))
    details: dict[str, Any] = {"objective": params.objective, "period_s": params.period,
                               "period": period, "budget": params.budget}
    if params.total is not None:
        p = duration(params.period)
        total = _scalar(prom, f"sum(increase({params.total}[{p}]))", at, records)
        if total is None or not math.isfinite(total) or total <= 0:
            raise NoDataError(f"no events in the {period} period: {params.total} did not "
                              "increase", Evidence(queries=records))
        counted = params.good or params.bad
        part = _scalar(prom, f"sum(increase({counted}[{p}]))", at, records)
        if part is None:
            if params.good is not None:
                raise CollectorError(f"the good counter {params.good} matched no series in the "
                                     "period: check the selector", Evidence(queries=records))
            part = 0.0
            notes.append(f"the bad counter {params.bad} matched no series: taken as 0 bad "
                         "events; check the selector if errors were expected")
        bad = total - part if params.good is not None else part
        bad = min(max(bad, 0.0), total)
        error_ratio = bad / total
        details["events"] = {"total": round(total, 1), "bad": round(bad, 1)}
        summary = f"{bad:,.0f} of {total:,.0f} events bad"
        notes.append(EVENTS_NOTE.format(period=period))
    else:
        value = _scalar(prom, params.error_ratio(params.period), at, records)
        if value is None or not math.isfinite(value):
            raise NoDataError(f"the error ratio over the {period} period is empty or NaN",
                              Evidence(queries=records))
        error_ratio = value
        summary = f"error ratio {error_ratio:.4%}"
        notes.append(f"the error ratio over {period} is the ratio query itself with $window = "
                     f"{period}; write it with increase() or rate() of counters so that "
                     "restarts and scrape gaps lose no events")
    consumed = error_ratio / params.budget
    details.update(error_ratio=error_ratio, consumed=consumed, remaining=1.0 - consumed)
    summary = f"{consumed:.1%} of the budget consumed ({summary})"
    return Spent(error_ratio, 1.0 - consumed, summary, records, details, notes)
