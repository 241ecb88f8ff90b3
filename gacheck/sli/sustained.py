"""One SLI expression over the window, judged per series with the breach arithmetic.

Shared by ``promql_sustained``, ``ratio`` and ``histogram_quantile``: they differ only in how
they write the PromQL. The gate's value is the worst series' sustained level (see
``gacheck.sli.breach``), so the engine's threshold comparison is exactly the "sustained" rule;
a breach that is not sustained sets a ``warn`` floor.

Evidence first, per series (``gacheck.sli.series_evidence``): a series whose lifespan is not
covered (``min_coverage``) or mostly idle (``min_active``) cannot pass, and makes the gate
``no_data`` unless another, well-evidenced series surely fails. A ``Resolution`` (a histogram
threshold inside a bucket) marks instants whose side of the threshold is unknown: a breach that
needs them is a ``warn``, never a ``fail`` or a ``pass``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from gacheck.collectors.prometheus.client import client
from gacheck.collectors.prometheus.results import Series
from gacheck.collectors.prometheus.window import RangeWindow, range_window
from gacheck.config.model import Duration, GateSpec, PositiveDuration
from gacheck.config.params import Params
from gacheck.context import Context
from gacheck.core.measurement import Measurement
from gacheck.core.models import Evidence, QueryRecord, Status
from gacheck.core.plausibility import first_negative
from gacheck.core.units import format_duration, parse_ratio
from gacheck.sli.blind_evidence import blind_text, record_blind_time
from gacheck.sli.breach import Grid, on_grid
from gacheck.sli.idle_fill import fill_idle
from gacheck.sli.series_evidence import Limits, SeriesEvidence, examine, shortfall
from gacheck.sli.sustained_text import describe, fail_message, plain, series_details, stamp

Ratio = Annotated[float, BeforeValidator(parse_ratio)]
SERIES_SHOWN = 50
INFINITE_STAND_IN = 1e15


class SustainedParams(Params):
    window: PositiveDuration | None = Field(default=None, description="default: settings.window")
    step: PositiveDuration | None = Field(default=None, description="default: settings.step")
    max_breach: Duration = Field(default=900.0, description="longest tolerated breach")
    max_breach_ratio: Ratio = Field(default=0.01, ge=0, lt=1)
    min_coverage: Ratio = Field(default=0.9, ge=0, le=1)
    min_active: Ratio = Field(
        default=0.5, ge=0, le=1, description="least share of each series' lifespan with a "
        "value (not idle, not a gap)")


@dataclass(frozen=True)
class Resolution:
    """Instants at which the SLI's side of the threshold is unknown, with how that was found."""

    note: str
    """Why, and what to do: "threshold 50ms is inside bucket 0–100ms; set it to an edge ..."."""
    unknown: Callable[[Series], Any]
    """A grid mask per series: True where the side is unknown."""
    beyond: float
    """The value an unknown instant takes when read as a breach (the far bucket edge)."""
    records: list[QueryRecord] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)


Resolver = Callable[[RangeWindow, Grid], Resolution]


@dataclass(frozen=True)
class Alongside:
    """What a pre-check found (run beside the main range query, not before it)."""

    records: list[QueryRecord] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    resolver: Resolver | None = None


def beside(work: Callable[[], Alongside]) -> Callable[[], Alongside]:
    """Start a pre-check now, beside the main range query; the returned call waits for it."""
    from gacheck.core.side_thread import beside as on_a_thread

    return on_a_thread(work, name="gacheck-precheck")


def evaluate_sustained(
    gate: GateSpec,
    ctx: Context,
    promql: str,
    *,
    before: list[QueryRecord] | None = None,
    notes: list[str] | None = None,
    details: dict[str, Any] | None = None,
    idle_means: str = "no traffic",
    resolver: Resolver | None = None,
    alongside: Callable[[], Alongside] | None = None,
    presence: str | None = None,
) -> Measurement:
    """``alongside``: a pre-check started with ``beside`` before this call; its records, notes
    and details come first in the evidence, as if it had run before the range query.
    ``presence``: PromQL present wherever the SLI's series were scraped (0 when idle),
    asked only of a backend that drops NaN (``gacheck.sli.idle_fill``)."""
    params: SustainedParams = gate.params
    settings = ctx.config.settings
    prom = client(ctx)
    window = range_window(ctx.at, params.window or settings.window,
                          params.step or settings.step, prom.settings.max_points)
    result = prom.range(promql, window.start, window.end, window.step_s)
    if alongside is not None:
        found = alongside()
        before = [*(before or []), *found.records]
        notes = [*(notes or []), *found.notes]
        details = {**(details or {}), **found.details}
        resolver = found.resolver or resolver
    idle = fill_idle(ctx, prom, result, presence, window) if presence else None
    if idle is not None:  # a backend that drops NaN (VictoriaMetrics): idle is not a gap
        result = idle.result
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
            "max_breach_ratio": params.max_breach_ratio, "min_coverage": params.min_coverage,
            "min_active": params.min_active}
    after: list[QueryRecord] = [idle.record] if idle else []
    if idle is not None:
        notes.append(idle.note)
    blind = record_blind_time(ctx, window, info, notes)

    def evidence(extra: dict[str, Any]) -> Evidence:
        return Evidence(queries=[*(before or []), *blind, result.record, *after], notes=notes,
                        details={**info, **extra})

    if not result.series:
        span = format_duration(window.window_s)
        return Measurement(None, f"the query returned no series in the {span} window ending at "
                           f"{stamp(window.end.timestamp())}", evidence({}), Status.NO_DATA)
    impossible = first_negative(((s.name(), s.timestamps, s.values) for s in result.series),
                                gate.unit)
    if impossible is not None:
        return Measurement(None, impossible, evidence({}), Status.ERROR)
    grid = Grid(window.start.timestamp(), window.step_s, window.points)
    resolution = resolver(window, grid) if resolver is not None else None
    if resolution is not None:
        after += resolution.records
        info["resolution"] = {"note": resolution.note, **resolution.details}
    limits = Limits(limit, upper, params.max_breach, params.max_breach_ratio)
    judged: list[tuple[Series, SeriesEvidence]] = []
    import numpy as np

    seen = np.zeros(grid.count, dtype=bool)
    for series in result.series:
        values, present = on_grid(grid, series.timestamps, series.values)
        seen |= present
        unknown = resolution.unknown(series) if resolution is not None else None
        judged.append((series, examine(values, present, unknown, grid, limits,
                                       resolution.beyond if resolution else None)))
    coverage = float(seen.sum()) / grid.count
    sign = 1.0 if upper else -1.0

    def badness(level: float | None) -> float:
        return -math.inf if level is None else sign * level

    kept = judged
    if len(judged) > SERIES_SHOWN:  # keep the worst; show them in label order
        by_worst = sorted(judged, key=lambda sj: badness(sj[1].possible.level), reverse=True)
        worst_ids = {id(sj) for sj in by_worst[:SERIES_SHOWN]}
        kept = [sj for sj in judged if id(sj) in worst_ids]
    shown_rows = [series_details(s.name(), ev, grid.step) for s, ev in kept]
    base = {"coverage": round(coverage, 6), "series_count": len(judged), "series": shown_rows}
    if coverage < params.min_coverage:
        return Measurement(None, f"coverage {coverage:.1%} is below min_coverage "
                           f"{params.min_coverage:.0%}: {grid.count - int(seen.sum())} of "
                           f"{grid.count} instants have no sample{blind_text(info)}",
                           evidence(base), Status.NO_DATA)
    if not any(ev.active for _, ev in judged):
        return Measurement(None, f"every sample in the window is NaN (idle: {idle_means})",
                           evidence(base), Status.NO_DATA)
    many = len(judged) > 1

    def named(series: Series) -> str:
        return f"{series.name()}: " if many else ""

    thin = [(s, ev, why) for s, ev in judged
            if (why := shortfall(ev, grid.step, params.min_coverage, params.min_active))]
    thin_ids = {id(ev) for _, ev, _ in thin}
    sound = [(s, ev) for s, ev in judged if id(ev) not in thin_ids]
    failed = [(s, ev) for s, ev in sound if ev.sure.sustained]
    if failed:  # a breach proven on sound evidence fails whatever else is missing
        worst_series, worst = max(failed, key=lambda sj: badness(sj[1].sure.level))
        base["worst_series"] = worst_series.name()
        message = fail_message(worst_series, worst.sure, many, params.max_breach,
                               params.max_breach_ratio)
        if thin:
            message += f"; {len(thin)} other series too thin to judge"
        return finish(worst.sure.level, message, evidence(base), None)
    if thin:
        least = min(thin, key=lambda t: (t[1].coverage, t[1].active_share))
        base["thin_series"] = [s.name() for s, _, _ in thin]
        more = f" ({len(thin)} of {len(judged)} series too thin)" if many else ""
        hint = (f"; idle means {idle_means}" if least[1].coverage >= params.min_coverage
                else "")
        return Measurement(None, f"too little evidence: {named(least[0])}{least[2]}{hint}{more}",
                           evidence(base), Status.NO_DATA)
    sure_level = max((ev.sure.level for _, ev in judged if ev.sure.level is not None),
                     key=lambda v: sign * v)
    unsure = [(s, ev) for s, ev in judged if ev.possible.sustained]
    if unsure and resolution is not None:
        worst_series, worst = max(unsure, key=lambda sj: sj[1].indeterminate)
        base["worst_series"] = worst_series.name()
        possibly = fail_message(worst_series, worst.possible, False, params.max_breach,
                                params.max_breach_ratio)
        message = (f"indeterminate: {resolution.note} (the buckets cannot tell which side of "
                   f"the threshold {worst.indeterminate} of {worst.active} valued instants "
                   f"{'of ' + worst_series.name() + ' ' if many else ''}are on, and the breach "
                   f"rests on them: if they all breach, {possibly})")
        return finish(sure_level, message, evidence(base), Status.WARN)
    valued = [(s, ev) for s, ev in judged if ev.possible.level is not None]
    worst_series, worst = max(valued, key=lambda sj: badness(sj[1].possible.level))
    base["worst_series"] = worst_series.name()
    message, floor = describe(gate.unit, worst_series, worst.possible,
                              [(s, ev.possible) for s, ev in judged])
    if resolution is not None and any(ev.indeterminate for _, ev in judged):
        message += f"; {resolution.note}"
    return finish(worst.possible.level, message, evidence(base), floor)


def finish(level: float | None, message: str, evidence: Evidence,
           floor: Status | None) -> Measurement:
    value = level
    if value is not None and math.isinf(value):
        # JSON has no infinity and durations cannot show one: a huge finite level stands in.
        value = math.copysign(INFINITE_STAND_IN, value)
        message += f" (the sustained level is {plain(level)})"
    return Measurement(value, message, evidence, floor)


