"""One SLI expression over the window, judged per series with the breach arithmetic.

Shared by ``promql_sustained``, ``ratio`` and ``histogram_quantile``: they differ only in how
they write the PromQL. The gate's value is the worst series' sustained level (see
``gacheck.sli.breach``), so the engine's threshold comparison is exactly the "sustained" rule;
a breach that is not sustained sets a ``warn`` floor.
"""

from __future__ import annotations

import math
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from gacheck.collectors.prometheus import Series, client, utc
from gacheck.collectors.prometheus_window import range_window
from gacheck.config import Duration, GateSpec, PositiveDuration
from gacheck.context import Context
from gacheck.gates.interface import Measurement, Params
from gacheck.models import Evidence, QueryRecord, Status
from gacheck.sli.breach import Grid, Judgement, judge, on_grid
from gacheck.units import Unit, format_duration, format_value, parse_ratio

Ratio = Annotated[float, BeforeValidator(parse_ratio)]
SERIES_SHOWN = 50
INFINITE_STAND_IN = 1e15


class SustainedParams(Params):
    window: PositiveDuration | None = Field(default=None, description="default: settings.window")
    step: PositiveDuration | None = Field(default=None, description="default: settings.step")
    max_breach: Duration = Field(default=900.0, description="longest tolerated breach")
    max_breach_ratio: Ratio = Field(default=0.01, ge=0, lt=1)
    min_coverage: Ratio = Field(default=0.9, ge=0, le=1)


def plain(value: float | None) -> float | str | None:
    """JSON-safe number: NaN and infinities become Prometheus' spelling."""
    if value is None or math.isfinite(value):
        return value
    return "NaN" if math.isnan(value) else ("+Inf" if value > 0 else "-Inf")


def shown(value: float | None, unit: Unit) -> str:
    """``format_value`` that also copes with NaN and infinities (a quantile past every bucket)."""
    if value is not None and not math.isfinite(value):
        return str(plain(value))
    return format_value(value, unit)


def stamp(ts: float) -> str:
    return utc(ts).isoformat().replace("+00:00", "Z")


def series_details(name: str, j: Judgement, step: float) -> dict[str, Any]:
    longest = None
    if j.longest is not None:
        longest = {"start": stamp(j.longest.start), "duration_s": j.longest.duration_s,
                   "duration": format_duration(j.longest.duration_s),
                   "samples": j.longest.samples, "peak": plain(j.longest.peak)}
    return {
        "series": name, "level": plain(j.level), "samples": j.expected, "valued": j.valued,
        "breaches": j.breaches, "breach_ratio": j.breach_ratio, "episodes": j.episodes,
        "longest_breach": longest, "min": plain(j.minimum), "median": plain(j.median),
        "p95": plain(j.p95), "max": plain(j.maximum), "idle_minutes": j.idle * step / 60,
        "gap_minutes": j.gaps * step / 60, "coverage": round(j.coverage, 6),
    }


def evaluate_sustained(
    gate: GateSpec,
    ctx: Context,
    promql: str,
    *,
    before: list[QueryRecord] | None = None,
    notes: list[str] | None = None,
    details: dict[str, Any] | None = None,
    idle_means: str = "no traffic",
) -> Measurement:
    params: SustainedParams = gate.params
    settings = ctx.config.settings
    prom = client(ctx)
    window = range_window(ctx.at, params.window or settings.window,
                          params.step or settings.step, prom.settings.max_points)
    result = prom.range(promql, window.start, window.end, window.step_s)
    upper = gate.threshold.max is not None
    limit = gate.threshold.max if upper else gate.threshold.min
    assert limit is not None
    notes = list(notes or [])
    if window.note():
        notes.append(window.note() or "")
    notes += [f"Prometheus warning: {w}" for w in result.warnings]
    info = {**(details or {}), "window": window.details(), "max_breach_s": params.max_breach,
            "max_breach": format_duration(params.max_breach),
            "step": format_duration(window.step_s),
            "max_breach_ratio": params.max_breach_ratio, "min_coverage": params.min_coverage}

    def evidence(extra: dict[str, Any]) -> Evidence:
        return Evidence(queries=[*(before or []), result.record], notes=notes,
                        details={**info, **extra})

    if not result.series:
        span = format_duration(window.window_s)
        return Measurement(None, f"the query returned no series in the {span} window ending at "
                           f"{stamp(window.end.timestamp())}", evidence({}), Status.NO_DATA)
    grid = Grid(window.start.timestamp(), window.step_s, window.points)
    judged: list[tuple[Series, Judgement]] = []
    import numpy as np

    seen = np.zeros(grid.count, dtype=bool)
    for series in result.series:
        values, present = on_grid(grid, series.timestamps, series.values)
        seen |= present
        judged.append((series, judge(values, present, grid, limit, upper,
                                     params.max_breach, params.max_breach_ratio)))
    coverage = float(seen.sum()) / grid.count
    sign = 1.0 if upper else -1.0
    kept = judged
    if len(judged) > SERIES_SHOWN:  # keep the worst; show them in label order
        by_worst = sorted(judged, key=lambda sj: -math.inf if sj[1].level is None
                          else sign * sj[1].level, reverse=True)
        worst_ids = {id(sj) for sj in by_worst[:SERIES_SHOWN]}
        kept = [sj for sj in judged if id(sj) in worst_ids]
    shown = [series_details(s.name(), j, grid.step) for s, j in kept]
    base = {"coverage": round(coverage, 6), "series_count": len(judged), "series": shown}
    if coverage < params.min_coverage:
        return Measurement(None, f"coverage {coverage:.1%} is below min_coverage "
                           f"{params.min_coverage:.0%}: {grid.count - int(seen.sum())} of "
                           f"{grid.count} instants have no sample", evidence(base), Status.NO_DATA)
    valued = [(s, j) for s, j in judged if j.level is not None]
    if not valued:
        return Measurement(None, f"every sample in the window is NaN (idle: {idle_means})",
                           evidence(base), Status.NO_DATA)
    worst_series, worst = max(valued, key=lambda sj: sign * (sj[1].level or 0.0))
    base["worst_series"] = worst_series.name()
    message, floor = describe(gate, worst_series, worst, judged, params)
    value = worst.level
    if value is not None and math.isinf(value):
        # JSON has no infinity and durations cannot show one: a huge finite level stands in.
        value = math.copysign(INFINITE_STAND_IN, value)
        message += f" (the sustained level is {plain(worst.level)})"
    return Measurement(value, message, evidence(base), floor)


def describe(
    gate: GateSpec, worst_series: Series, worst: Judgement,
    judged: list[tuple[Series, Judgement]], params: SustainedParams,
) -> tuple[str, Status | None]:
    """The message, and ``warn`` when some series breached without being sustained."""
    unit = gate.unit
    where = f" on {worst_series.name()}" if len(judged) > 1 else ""
    if worst.sustained:
        why = []
        if worst.sustained_by_duration and worst.longest is not None:
            why.append(f"longest breach {format_duration(worst.longest.duration_s)} > max_breach "
                       f"{format_duration(params.max_breach)}")
        if worst.sustained_by_ratio:
            why.append(f"breach ratio {worst.breach_ratio:.2%} > max_breach_ratio "
                       f"{params.max_breach_ratio:.2%}")
        return f"sustained breach{where}: " + ", ".join(why), Status.FAIL
    excursions = [(s, j) for s, j in judged if j.breaches]
    if not excursions:
        return (f"no sample beyond the threshold{where}; median "
                f"{shown(worst.median, unit)}, max "
                f"{shown(worst.maximum, unit)}"), None
    series, j = max(excursions, key=lambda sj: sj[1].longest.samples if sj[1].longest else 0)
    assert j.longest is not None
    name = f" on {series.name()}" if len(judged) > 1 else ""
    return (f"short excursion{name}: {shown(j.longest.peak, unit)} for "
            f"{format_duration(j.longest.duration_s)} from {stamp(j.longest.start)} "
            f"({j.breaches} breach samples, {j.breach_ratio or 0:.2%}; not sustained)"), Status.WARN
