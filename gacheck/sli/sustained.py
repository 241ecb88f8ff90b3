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

from collections.abc import Callable
from typing import Any

from gacheck.collectors.prometheus.client import client
from gacheck.collectors.prometheus.results import Series
from gacheck.collectors.prometheus.window import range_window
from gacheck.config.model import GateSpec
from gacheck.context import Context
from gacheck.core.measurement import Measurement
from gacheck.core.models import QueryRecord, Status
from gacheck.core.plausibility import first_negative
from gacheck.core.side_thread import beside
from gacheck.core.units import format_duration
from gacheck.sli.blind_evidence import blind_text, record_blind_time
from gacheck.sli.breach import Grid, on_grid
from gacheck.sli.idle_fill import fill_idle
from gacheck.sli.series_evidence import Limits, SeriesEvidence, examine
from gacheck.sli.sustained_decision import Answer, Judging, decide, shown_rows
from gacheck.sli.sustained_inputs import Alongside, Resolution, Resolver, SustainedParams
from gacheck.sli.sustained_text import stamp


def start_precheck(work: Callable[[], Alongside]) -> Callable[[], Alongside]:
    """Start a pre-check now, beside the main range query; the returned call waits for it."""
    return beside(work, name="gacheck-precheck")


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
    """``alongside``: a pre-check started with ``start_precheck`` before this call; its
    records, notes and details come first in the evidence, as if it had run before the range
    query. ``presence``: PromQL present wherever the SLI's series were scraped (0 when idle),
    asked only of a backend that drops NaN (``gacheck.sli.idle_fill``)."""
    params: SustainedParams = gate.params
    answer = _ask(gate, ctx, promql, before, notes, details, resolver, alongside, presence)
    window, result = answer.window, answer.result
    upper = gate.threshold.max is not None
    limit = gate.threshold.max if upper else gate.threshold.min
    assert limit is not None
    if not result.series:
        span = format_duration(window.window_s)
        return Measurement(None, f"the query returned no series in the {span} window ending at "
                           f"{stamp(window.end.timestamp())}", answer.evidence({}), Status.NO_DATA)
    impossible = first_negative(((s.name(), s.timestamps, s.values) for s in result.series),
                                gate.unit)
    if impossible is not None:
        return Measurement(None, impossible, answer.evidence({}), Status.ERROR)
    grid = Grid(window.start.timestamp(), window.step_s, window.points)
    resolution = answer.resolver(window, grid) if answer.resolver is not None else None
    if resolution is not None:
        answer.after += resolution.records
        answer.info["resolution"] = {"note": resolution.note, **resolution.details}
    limits = Limits(limit, upper, params.max_breach, params.max_breach_ratio)
    judged, seen = _examine_all(result.series, grid, limits, resolution)
    judging = Judging(params, gate, grid, judged, upper, resolution, idle_means)
    coverage = float(seen.sum()) / grid.count
    base = {"coverage": round(coverage, 6), "series_count": len(judged),
            "series": shown_rows(judging)}
    if coverage < params.min_coverage:
        return Measurement(None, f"coverage {coverage:.1%} is below min_coverage "
                           f"{params.min_coverage:.0%}: {grid.count - int(seen.sum())} of "
                           f"{grid.count} instants have no sample{blind_text(answer.info)}",
                           answer.evidence(base), Status.NO_DATA)
    if not any(ev.active for _, ev in judged):
        return Measurement(None, f"every sample in the window is NaN (idle: {idle_means})",
                           answer.evidence(base), Status.NO_DATA)
    return decide(judging, answer, base)


def _ask(gate: GateSpec, ctx: Context, promql: str, before: list[QueryRecord] | None,
         notes: list[str] | None, details: dict[str, Any] | None, resolver: Resolver | None,
         alongside: Callable[[], Alongside] | None, presence: str | None) -> Answer:
    """The range query over the gate's window, the pre-check's findings, idle filling and the
    blind stretches of the window, in the order the evidence lists them."""
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
    return Answer(window, result, list(before or []), blind, after, notes, info, resolver)


def _examine_all(
    all_series: list[Series], grid: Grid, limits: Limits, resolution: Resolution | None
) -> tuple[list[tuple[Series, SeriesEvidence]], Any]:
    """Each series' evidence on the grid, and the grid instants any series has a sample at."""
    import numpy as np

    judged: list[tuple[Series, SeriesEvidence]] = []
    seen = np.zeros(grid.count, dtype=bool)
    for series in all_series:
        values, present = on_grid(grid, series.timestamps, series.values)
        seen |= present
        unknown = resolution.unknown(series) if resolution is not None else None
        judged.append((series, examine(values, present, unknown, grid, limits,
                                       resolution.beyond if resolution else None)))
    return judged, seen
