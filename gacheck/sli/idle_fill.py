"""Idle instants on backends that drop NaN from their answers (VictoriaMetrics).

Prometheus answers ``0/0`` (no traffic in the rate window) with a NaN sample, which the
sustained gates read as idle. VictoriaMetrics removes NaN from every answer, so the same
instant arrives as no sample at all and would read as a gap: a quiet night would make a healthy
gate ``no_data``. Whether the backend does this is asked once per evaluation, and only when an
answer misses instants (``vector(0) / 0`` answers a NaN sample, or nothing). Where it does,
the kind's *presence* query (the denominator's rate, the histogram's total count: present
whenever the series were scraped, 0 when idle) is fetched over the same range, and each
instant it has a value and the SLI has none becomes NaN, as Prometheus would have answered.
Gaps, where nothing was scraped, stay gaps.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

from gacheck.collectors.prometheus.results import QueryResult, Series
from gacheck.collectors.prometheus.window import RangeWindow
from gacheck.core.models import QueryRecord

NAN_PROBE = "vector(0) / 0"


@dataclass(frozen=True)
class IdleFill:
    result: QueryResult
    record: QueryRecord
    note: str


def drops_nan(ctx: Any, prom: Any) -> bool:
    """Whether the backend leaves NaN samples out of its answers (asked once)."""
    return ctx.shared("prometheus:drops_nan",
                      lambda: not prom.instant(NAN_PROBE, ctx.at, limited=False).series)


def fill_idle(ctx: Any, prom: Any, result: QueryResult, presence: str,
              window: RangeWindow) -> IdleFill | None:
    if result.series and all(len(s.timestamps) >= window.points for s in result.series):
        return None  # nothing missing: nothing to tell apart, no question to ask
    if not drops_nan(ctx, prom):
        return None
    present = prom.range(presence, window.start, window.end, window.step_s)
    by_key = {_key(s): s for s in result.series}
    filled, added = [], 0
    for marker in present.series:
        own = by_key.pop(_key(marker), None)
        points = dict(zip(own.timestamps, own.values, strict=True)) if own else {}
        for t in marker.timestamps:
            if t not in points:
                points[t] = math.nan
                added += 1
        times = sorted(points)
        labels = own.labels if own else {k: v for k, v in marker.labels.items()
                                         if k != "__name__"}
        filled.append(Series(labels, times, [points[t] for t in times]))
    filled += by_key.values()  # SLI series without a presence series: left as answered
    filled.sort(key=lambda s: sorted(s.labels.items()))
    note = (f"the backend leaves NaN (idle) samples out of its answers: {added} instants where "
            f"{presence} had a value and the SLI had none were read as idle (NaN), as "
            "Prometheus answers them")
    return IdleFill(dataclasses.replace(result, series=filled), present.record, note)


def _key(series: Series) -> frozenset[tuple[str, str]]:
    return frozenset((k, v) for k, v in series.labels.items() if k != "__name__")
