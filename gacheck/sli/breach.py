"""When is an SLI "beyond its threshold, sustained"? The arithmetic, pure and in one place.

A series is sampled on a grid (one instant per step). Each grid instant is one of:
  - a gap: Prometheus returned no sample there (nothing was measured);
  - idle: the sample is NaN (0/0: no traffic), neither good nor bad;
  - a value: good, or a *breach* when beyond the limit (``> max``, or ``< min``).

An *episode* is a maximal run of consecutive breach samples; a good, idle or missing sample
ends it. It lasts ``samples × step`` (each sample stands for one step of time).
The series is *sustained* beyond the limit when
  - an episode lasts longer than ``max_breach`` (like an alert's ``for:``), or
  - more than ``max_breach_ratio`` of the valued samples are breaches.

The *level* of a series is the value that answers both rules with one comparison: the larger
of (a) the highest value the series stayed at or above for longer than ``max_breach`` and
(b) the (m+1)-th largest valued sample, m = floor(ratio × valued). So "level > max" holds
exactly when the series is sustained beyond ``max`` (mirrored for ``min``): the engine can judge
the level against the threshold, and any breach that is not sustained only warns.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

_EPS = 1e-9


@dataclass(frozen=True)
class Grid:
    start: float
    step: float
    count: int

    def time(self, index: int) -> float:
        return self.start + index * self.step


@dataclass(frozen=True)
class Episode:
    start: float
    """Time of the first breach sample (Unix seconds)."""
    samples: int
    peak: float
    """The worst value in the episode."""
    duration_s: float


@dataclass(frozen=True)
class Judgement:
    expected: int
    gaps: int
    idle: int
    valued: int
    breaches: int
    breach_ratio: float | None
    """Breach samples over valued samples; ``None`` when nothing had a value."""
    level: float | None
    """The sustained level (see module doc); ``None`` when nothing had a value."""
    sustained_by_duration: bool
    sustained_by_ratio: bool
    longest: Episode | None
    episodes: int
    minimum: float | None
    median: float | None
    p95: float | None
    maximum: float | None

    @property
    def sustained(self) -> bool:
        return self.sustained_by_duration or self.sustained_by_ratio

    @property
    def coverage(self) -> float:
        return (self.expected - self.gaps) / self.expected if self.expected else 0.0


def on_grid(grid: Grid, timestamps: Sequence[float], values: Sequence[float]
            ) -> tuple[Any, Any]:
    """``(values, present)`` arrays of ``grid.count``: NaN where absent, mask of present."""
    import numpy as np

    grid_values = np.full(grid.count, np.nan)
    present = np.zeros(grid.count, dtype=bool)
    if len(timestamps):
        index = np.rint((np.asarray(timestamps) - grid.start) / grid.step).astype(np.int64)
        inside = (index >= 0) & (index < grid.count)
        grid_values[index[inside]] = np.asarray(values, dtype=float)[inside]
        present[index[inside]] = True
    return grid_values, present


def breach_samples_allowed(valued: int, max_breach_ratio: float) -> int:
    """m: the most breach samples that are not "more than" the ratio of ``valued``."""
    return int(math.floor(max_breach_ratio * valued + _EPS))


def judge(
    values: Any,
    present: Any,
    grid: Grid,
    limit: float,
    upper: bool,
    max_breach: float,
    max_breach_ratio: float,
) -> Judgement:
    """Judge one series on ``grid`` against ``limit`` (``upper``: a max; else a min)."""
    import numpy as np

    values = np.asarray(values, dtype=float)
    present = np.asarray(present, dtype=bool)
    sign = 1.0 if upper else -1.0
    signed = sign * values  # mirrored so that "worse" is always "larger"
    valued_mask = present & ~np.isnan(values)
    valued = signed[valued_mask]
    gaps = int((~present).sum())
    idle = int((present & np.isnan(values)).sum())
    breach = valued_mask & (signed > sign * limit)
    breaches = int(breach.sum())

    window = int(math.floor(max_breach / grid.step + _EPS)) + 1  # samples lasting > max_breach
    level = _signed_level(signed, valued_mask, valued, window, max_breach_ratio)

    episodes, longest = _episodes(breach, values, grid, upper)
    real = values[valued_mask]
    with np.errstate(invalid="ignore"):  # infinities (a quantile beyond the last bucket)
        median = _median(real) if real.size else None
        p95 = _percentile(real, 95) if real.size else None
    return Judgement(
        expected=grid.count,
        gaps=gaps,
        idle=idle,
        valued=int(valued.size),
        breaches=breaches,
        breach_ratio=breaches / valued.size if valued.size else None,
        level=None if level == -math.inf else sign * level,
        sustained_by_duration=longest is not None and longest.samples >= window,
        sustained_by_ratio=valued.size > 0 and breaches > breach_samples_allowed(
            valued.size, max_breach_ratio),
        longest=longest,
        episodes=episodes,
        minimum=float(real.min()) if real.size else None,
        median=median,
        p95=p95,
        maximum=float(real.max()) if real.size else None,
    )


def _signed_level(
    signed: Any, valued_mask: Any, valued: Any, window: int, max_breach_ratio: float
) -> float:
    """The sustained level (module doc) in the mirrored space where worse is larger: the larger
    of the highest value held through ``window`` consecutive valued samples and the
    (m+1)-th largest valued sample; ``-inf`` when neither exists."""
    import numpy as np
    from numpy.lib.stride_tricks import sliding_window_view

    run_level = -math.inf
    if len(signed) >= window:
        with np.errstate(invalid="ignore"):
            mins = sliding_window_view(np.where(valued_mask, signed, np.nan), window).min(axis=1)
        if not np.all(np.isnan(mins)):
            run_level = float(np.nanmax(mins))
    ratio_level = -math.inf
    if valued.size:
        allowed = breach_samples_allowed(valued.size, max_breach_ratio)
        if allowed < valued.size:
            ratio_level = float(-np.partition(-valued, allowed)[allowed])
    return max(run_level, ratio_level)


def _episodes(breach: Any, values: Any, grid: Grid, upper: bool) -> tuple[int, Episode | None]:
    """How many episodes, and the longest (the earliest of equally long ones)."""
    import numpy as np

    edges = np.diff(np.concatenate(([0], breach.astype(np.int8), [0])))
    starts = np.flatnonzero(edges == 1)
    if not starts.size:
        return 0, None
    lengths = np.flatnonzero(edges == -1) - starts  # ends are exclusive
    pick = int(np.argmax(lengths))  # argmax takes the first of equal maxima
    first, samples = int(starts[pick]), int(lengths[pick])
    chunk = values[first:first + samples]
    peak = float(chunk.max() if upper else chunk.min())
    return int(starts.size), Episode(grid.time(first), samples, peak, samples * grid.step)


# np.median and np.percentile import numpy.ma on first use (a masked-array check): 15 ms of
# every evaluation's start. These two give their answers to the bit (property-tested).


def _median(values: Any) -> float:
    """``np.median`` of a non-empty array."""
    import numpy as np

    half = values.size // 2
    if values.size % 2:
        return float(np.partition(values, half)[half])
    part = np.partition(values, (half - 1, half))
    return float((part[half - 1] + part[half]) / 2)


def _percentile(values: Any, q: float) -> float:
    """``np.percentile(values, q)`` (method "linear") of a non-empty array without NaN: the
    order statistics either side of ``(n - 1) q / 100``, interpolated as numpy does."""
    import numpy as np

    last = values.size - 1
    virtual = last * (q / 100)
    if virtual >= last:  # numpy takes the last value, with a weight past 1
        below = above = last
        weight = virtual + 1
    else:
        below = math.floor(virtual)
        above = below + 1
        weight = virtual - below
    part = np.partition(values, sorted({below, above}))
    low, high = part[below], part[above]
    step = high - low
    if weight >= 0.5:
        return float(high - step * (1 - weight))
    return float(low + step * weight)
