"""Generated series: families of samples on a plan's scrape grid, and the counters on it.

Shared by the generators of each part of a soak (``generate``, ``services``, ``facade_http``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gacheck.promlab.model import Plan, Window


@dataclass(frozen=True)
class Series:
    name: str
    labels: dict[str, str]
    timestamps: np.ndarray  # int64 Unix seconds, ascending
    values: np.ndarray


@dataclass(frozen=True)
class Family:
    name: str
    kind: str
    help_text: str
    series: tuple[Series, ...]


class Grid:
    """The scrape instants of a plan ending at ``end`` and which of them hold what."""

    def __init__(self, plan: Plan, end: int) -> None:
        step = int(plan.interval.total_seconds())
        count = int(plan.duration.total_seconds()) // step + 1
        self.step = step
        self.end = end
        self.t = end - step * (count - 1) + np.arange(count, dtype=np.int64) * step
        self.scraped = ~in_windows(self.t, end, plan.gaps)
        self.down = np.zeros(count, dtype=bool)
        self.segment = np.zeros(count, dtype=np.int64)
        for restart in sorted(plan.restarts, reverse=True):
            index = int(np.searchsorted(self.t, end - restart.total_seconds()))
            if index < count:
                self.down[index] = True
                self.segment[index + 1:] += 1
        self.alive = self.scraped & ~self.down


def in_windows(t: np.ndarray, end: int, windows: tuple[Window, ...]) -> np.ndarray:
    ago = end - t
    mask = np.zeros(t.shape, dtype=bool)
    for w in windows:
        mask |= (ago <= w.start.total_seconds()) & (ago > w.stop.total_seconds())
    return mask


def counter(increments: np.ndarray, segment: np.ndarray, offset: float) -> np.ndarray:
    """Integer counter values: a running sum that starts again from zero at each restart."""
    values = np.empty(increments.shape, dtype=np.int64)
    for number in np.unique(segment):
        part = segment == number
        values[part] = np.floor(np.cumsum(increments[part]) + (offset if number == 0 else 0.0))
    return values


def keep(grid: Grid, mask: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return grid.t[mask], values[mask]


def cumulative_float(increments: np.ndarray, segment: np.ndarray, offset: float) -> np.ndarray:
    values = np.empty(increments.shape, dtype=np.float64)
    for number in np.unique(segment):
        part = segment == number
        values[part] = np.cumsum(increments[part]) + (offset if number == 0 else 0.0)
    return values
