"""The words and rows of a sustained gate's result: messages, per-series details, JSON numbers."""

from __future__ import annotations

import math
from typing import Any

from gacheck.collectors.prometheus.client import utc
from gacheck.collectors.prometheus.results import Series
from gacheck.core.models import Status
from gacheck.core.units import Unit, format_duration, format_value
from gacheck.sli.breach import Judgement
from gacheck.sli.series_evidence import SeriesEvidence


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


def series_details(name: str, ev: SeriesEvidence, step: float) -> dict[str, Any]:
    j, raw = ev.sure, ev.raw
    longest = None
    if j.longest is not None:  # breaches for sure; the indeterminate ones are counted apart
        longest = {"start": stamp(j.longest.start), "duration_s": j.longest.duration_s,
                   "duration": format_duration(j.longest.duration_s),
                   "samples": j.longest.samples, "peak": plain(j.longest.peak)}
    row = {
        "series": name, "level": plain(j.level), "samples": raw.expected, "valued": raw.valued,
        "breaches": j.breaches, "breach_ratio": j.breach_ratio, "episodes": j.episodes,
        "longest_breach": longest, "min": plain(raw.minimum), "median": plain(raw.median),
        "p95": plain(raw.p95), "max": plain(raw.maximum), "idle_minutes": raw.idle * step / 60,
        "gap_minutes": (ev.span - ev.present) * step / 60, "coverage": round(ev.coverage, 6),
        "active": round(ev.active_share, 6), "active_minutes": ev.active * step / 60,
        "lifespan_minutes": max(ev.span - 1, 0) * step / 60,
    }
    if ev.indeterminate:
        row |= {"indeterminate": ev.indeterminate, "possible_level": plain(ev.possible.level),
                "possible_breaches": ev.possible.breaches}
    return row


def fail_message(series: Series, j: Judgement, many: bool, max_breach: float,
                 max_breach_ratio: float) -> str:
    where = f" on {series.name()}" if many else ""
    why = []
    if j.sustained_by_duration and j.longest is not None:
        why.append(f"longest breach {format_duration(j.longest.duration_s)} > max_breach "
                   f"{format_duration(max_breach)}")
    if j.sustained_by_ratio:
        why.append(f"breach ratio {j.breach_ratio:.2%} > max_breach_ratio "
                   f"{max_breach_ratio:.2%}")
    return f"sustained breach{where}: " + ", ".join(why)


def describe(
    unit: Unit, worst_series: Series, worst: Judgement, judged: list[tuple[Series, Judgement]],
) -> tuple[str, Status | None]:
    """The message of a gate that is not sustained, and ``warn`` when some series breached."""
    where = f" on {worst_series.name()}" if len(judged) > 1 else ""
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
