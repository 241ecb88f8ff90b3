"""The trend of one gate's value over earlier audits: previous value, change, slope per day.

Used by gates whose checklist item says "and trending down". The direction is the sign of the
least-squares slope over the earlier values and the current one, so one noisy day does not flip
it: 60, 70, 80, 90 then 89 is still rising. It needs ``MIN_TREND_POINTS`` points at different
instants (this audit and at least one earlier one); with two it is the last step, from three on
the fit smooths a single day out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

_DAY_S = 86400.0
MIN_TREND_POINTS = 2
"""Points (at distinct instants, this audit included) below which there is no direction."""
_FLAT = 1e-9
"""A slope this close to 0 (per day) is flat: equal values must not read as a rise."""


@dataclass(frozen=True)
class Trend:
    points: list[tuple[datetime, float]]
    """Earlier (evaluated_at, value) pairs, oldest first, then the current one."""
    previous: float | None
    """The value of the latest earlier audit; ``None`` on a first run."""
    previous_at: datetime | None
    delta: float | None
    """Current minus previous."""
    slope_per_day: float | None
    """Least-squares slope over ``points``; ``None`` with fewer than two distinct instants."""

    @property
    def rising(self) -> bool:
        """A positive fitted slope: the direction a budget must not go."""
        return self.slope_per_day is not None and self.slope_per_day > _FLAT

    @property
    def enough(self) -> bool:
        return self.slope_per_day is not None

    def describe(self) -> str:
        if self.previous is None:
            return "first run: no earlier audit of this gate, so no trend yet"
        text = f"previous {self.previous:g} ({self.delta:+g})"
        if self.slope_per_day is not None:
            text += f", slope {self.slope_per_day:+.2f}/day over {len(self.points)} audits"
        return text

    def details(self) -> dict[str, Any]:
        return {
            "previous": self.previous,
            "previous_at": _iso(self.previous_at) if self.previous_at else None,
            "delta": self.delta,
            "slope_per_day": None if self.slope_per_day is None else round(self.slope_per_day, 4),
            "points": [{"at": _iso(at), "value": value} for at, value in self.points],
        }


def _iso(instant: datetime) -> str:
    return instant.strftime("%Y-%m-%dT%H:%M:%SZ")


def change_since_previous(values: Sequence[float]) -> float | None:
    """The last value minus the one before it; ``None`` with fewer than two. The one
    definition of "change since the previous audit" (the trends table, ``gacheck history``
    and the ruff budget's trend all use it)."""
    return values[-1] - values[-2] if len(values) > 1 else None


def slope_per_day(points: Sequence[tuple[datetime, float]]) -> float | None:
    """Ordinary least squares of value over time in days."""
    if len({at for at, _ in points}) < 2:
        return None
    origin = points[0][0]
    xs = [(at - origin).total_seconds() / _DAY_S for at, _ in points]
    ys = [value for _, value in points]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread


def trend_of(earlier: Sequence[tuple[datetime, float]], current: float, at: datetime) -> Trend:
    """The trend from earlier values (oldest first) to ``current`` measured at ``at``."""
    points = [*earlier, (at, current)]
    if not earlier:
        return Trend(points, None, None, None, None)
    previous_at, previous = earlier[-1]
    distinct = len({instant for instant, _ in points})
    slope = slope_per_day(points) if distinct >= MIN_TREND_POINTS else None
    return Trend(points, previous, previous_at, change_since_previous([previous, current]), slope)
