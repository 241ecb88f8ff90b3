"""One series' evidence: its lifespan in the window, how much of it was measured and active,
and its breach judgement when instants of unknown side (a threshold inside a bucket) are read
as within the threshold (``sure``) or beyond it (``possible``).

Per series, not over the union of series, so that one series' gap or idle time cannot hide
behind another's data. A series is judged over its *lifespan*: from its first to its last
sample in the window. Absence before the first or after the last sample is not that series'
gap (a labelled series appears with its first event; a replaced pod's series ends); the window
as a whole must still be covered by the series together (the caller checks that).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gacheck.core.units import format_duration
from gacheck.sli.breach import Grid, Judgement, judge


@dataclass(frozen=True)
class Limits:
    limit: float
    upper: bool
    max_breach: float
    max_breach_ratio: float


@dataclass(frozen=True)
class SeriesEvidence:
    raw: Judgement
    """The values as Prometheus answered (statistics come from here)."""
    sure: Judgement
    """Indeterminate instants read as within the threshold: a breach here is certain."""
    possible: Judgement
    """Indeterminate instants read as beyond it: no breach here means a certain pass."""
    first: int
    """Grid index of the first sample (``-1``: none)."""
    last: int
    present: int
    active: int
    """Instants with a value: present and not NaN (idle)."""
    indeterminate: int

    @property
    def span(self) -> int:
        """Instants from the first to the last sample, both included."""
        return self.last - self.first + 1 if self.first >= 0 else 0

    @property
    def coverage(self) -> float:
        return self.present / self.span if self.span else 0.0

    @property
    def active_share(self) -> float:
        return self.active / self.span if self.span else 0.0


def examine(values: Any, present: Any, unknown: Any | None, grid: Grid, limits: Limits,
            beyond: float | None = None) -> SeriesEvidence:
    """Judge one series; ``unknown`` masks instants whose side of the limit is unknown and
    ``beyond`` is the value they take when read as breaches (the far bucket edge)."""
    import numpy as np

    values = np.asarray(values, dtype=float)
    present = np.asarray(present, dtype=bool)
    valued = present & ~np.isnan(values)
    where = np.flatnonzero(present)
    first, last = (int(where[0]), int(where[-1])) if where.size else (-1, -1)

    def run(v: Any) -> Judgement:
        return judge(v, present, grid, limits.limit, limits.upper, limits.max_breach,
                     limits.max_breach_ratio)

    raw = run(values)
    mask = np.zeros(values.shape, dtype=bool) if unknown is None else (
        np.asarray(unknown, dtype=bool) & valued)
    count = int(mask.sum())
    if count == 0:
        sure = possible = raw
    else:
        far = beyond if beyond is not None else (np.inf if limits.upper else -np.inf)
        sure = run(np.where(mask, limits.limit, values))
        possible = run(np.where(mask, far, values))
    return SeriesEvidence(raw, sure, possible, first, last, int(present.sum()),
                          int(valued.sum()), count)


def shortfall(ev: SeriesEvidence, step: float, min_coverage: float,
              min_active: float) -> str | None:
    """Why this series' evidence is too thin to pass on, or ``None``."""
    if ev.coverage < min_coverage:
        return (f"coverage {ev.coverage:.1%} is below min_coverage {min_coverage:.0%}: "
                f"{ev.span - ev.present} of the {ev.span} instants of its lifespan have no sample")
    if ev.active_share < min_active:
        span_s = max(ev.span - 1, 1) * step  # n instants one step apart span n - 1 steps
        return (f"{format_duration(min(ev.active * step, span_s))} of {format_duration(span_s)} "
                f"active ({ev.active_share:.0%}), below min_active {min_active:.0%}")
    return None
