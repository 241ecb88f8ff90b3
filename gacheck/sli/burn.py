"""Multi-window burn-rate alerts over sampled error ratios (the SRE workbook's method).

A pair (long, short, factor) fires at an instant when the error ratio over both windows
exceeds ``factor`` times the error budget (1 - objective): the long window says the burn is
real, the short one that it is still going on. ``NaN`` (no traffic) never fires.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Episode:
    """Consecutive instants at which a pair fired."""

    start: float
    end: float
    peak: float  # the highest short-window burn rate inside


@dataclass(frozen=True)
class PairOutcome:
    episodes: list[Episode]
    peak_long: float | None
    peak_short: float | None
    covered: int  # instants at which the short window has a sample


def burn_rates(times: Sequence[float], ratios: Sequence[float],
               budget: float) -> dict[float, float]:
    """{instant: error ratio / budget}; NaN kept (no traffic)."""
    return {t: r / budget for t, r in zip(times, ratios, strict=True)}


def fired(long: dict[float, float], short: dict[float, float], factor: float,
          step_s: float) -> PairOutcome:
    episodes: list[Episode] = []
    current: list[float] | None = None  # [start, end, peak]
    for t in sorted(short):
        s, lg = short[t], long.get(t, math.nan)
        if s > factor and lg > factor:  # NaN compares False: idle never fires
            if current is not None and t - current[1] <= 1.5 * step_s:
                current[1], current[2] = t, max(current[2], s)
            else:
                if current is not None:
                    episodes.append(Episode(*current))
                current = [t, t, s]
    if current is not None:
        episodes.append(Episode(*current))
    return PairOutcome(episodes, _peak(long.values()), _peak(short.values()), len(short))


def _peak(values: Iterable[float]) -> float | None:
    finite = [v for v in values if math.isfinite(v)]
    return max(finite) if finite else None
