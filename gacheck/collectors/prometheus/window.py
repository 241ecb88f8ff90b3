"""The window and step of a range query: ends at the evaluation instant, stays under the limit.

Prometheus refuses a range query whose series would hold more than 11,000 points. Rather than
fail, the step grows to the smallest whole number of seconds that fits, and the evidence says so.

The instants are multiples of the step since the epoch (the last one at or before the
evaluation instant, less than a step before it), as Grafana and Thanos' query-frontend align
them: two evaluations minutes apart then share their instants, which is what lets closed chunks
be reused from the cache, and a cached and an uncached evaluation judge the same instants.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from gacheck.core.units import format_duration


def points(window_s: float, step_s: float) -> int:
    """Evaluation instants of a range query from ``end - window`` to ``end``, both included."""
    return int(math.floor(window_s / step_s + 1e-9)) + 1


def choose_step(window_s: float, step_s: float, max_points: int) -> float:
    """``step_s``, or the smallest whole-second step that keeps ``window_s`` under the limit."""
    if step_s <= 0:
        raise ValueError("step must be positive")
    if points(window_s, step_s) <= max_points:
        return step_s
    needed = float(math.ceil(window_s / (max_points - 1)))
    while points(window_s, needed) > max_points:  # guards float edge cases
        needed += 1.0
    return max(needed, step_s)


@dataclass(frozen=True)
class RangeWindow:
    start: datetime
    end: datetime
    step_s: float
    configured_step_s: float
    max_points: int

    @property
    def window_s(self) -> float:
        return (self.end - self.start).total_seconds()

    @property
    def points(self) -> int:
        return points(self.window_s, self.step_s)

    @property
    def grew(self) -> bool:
        return self.step_s > self.configured_step_s

    def note(self) -> str | None:
        if not self.grew:
            return None
        return (
            f"step grew from {format_duration(self.configured_step_s)} to "
            f"{format_duration(self.step_s)} so that each series of the "
            f"{format_duration(self.window_s)} window stays under {self.max_points} points"
        )

    def details(self) -> dict[str, object]:
        return {
            "start": self.start.isoformat().replace("+00:00", "Z"),
            "end": self.end.isoformat().replace("+00:00", "Z"),
            "window_s": self.window_s,
            "step_s": self.step_s,
            "configured_step_s": self.configured_step_s,
            "points": self.points,
        }


def range_window(at: datetime, window_s: float, step_s: float, max_points: int) -> RangeWindow:
    step = choose_step(window_s, step_s, max_points)
    step_ms = max(1, round(step * 1000))
    at_ms = round(at.timestamp() * 1000)
    end_ms = at_ms - at_ms % step_ms
    start_ms = end_ms - (points(window_s, step) - 1) * step_ms
    end = at - timedelta(milliseconds=at_ms - end_ms)
    return RangeWindow(end - timedelta(milliseconds=end_ms - start_ms), end, step, step_s,
                       max_points)
