"""Each numeric gate's recent values (earlier audits plus this one), as sparklines and trend rows.

Pure Python on purpose: the daily report needs this on every run, and pandas would cost more
to import than the arithmetic costs to do.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gacheck.core.models import Audit, Status, Threshold
from gacheck.core.units import Unit, format_value
from gacheck.history.store import History
from gacheck.history.value_trend import change_since_previous

BARS = "▁▂▃▄▅▆▇█"


@dataclass(frozen=True)
class Point:
    at: datetime
    value: float
    status: str


@dataclass(frozen=True)
class GateSeries:
    """One gate over time: oldest first, the current evaluation last."""

    gate_id: str
    title: str
    unit: Unit
    threshold: Threshold
    points: tuple[Point, ...]


def sparkline(values: Sequence[float]) -> str:
    """One block character per value, scaled between the smallest and the largest."""
    finite = [v for v in values if math.isfinite(v)]
    if not finite:
        return ""
    low, high = min(finite), max(finite)
    span = high - low
    marks = []
    for value in values:
        if not math.isfinite(value):
            marks.append(" ")
        elif span == 0:
            marks.append(BARS[len(BARS) // 2 - 1])  # a flat line sits mid-height
        else:
            marks.append(BARS[min(len(BARS) - 1, int((value - low) / span * len(BARS)))])
    return "".join(marks)


def gate_series(audit: Audit, history: History, window: int) -> list[GateSeries]:
    """The last ``window`` measured values of every gate that has a value, in config order."""
    found = []
    for gate in audit.gates:
        points = [Point(at, value, status) for at, value, status in history.points(gate.id)]
        if gate.value is not None and gate.status not in (
            Status.ERROR, Status.NO_DATA, Status.SKIPPED,
        ):
            points.append(Point(audit.evaluated_at, float(gate.value), gate.status.value))
        if points:
            found.append(
                GateSeries(gate.id, gate.title, gate.unit, gate.threshold, tuple(points[-window:]))
            )
    return found


def signed(value: float, unit: Unit) -> str:
    if value == 0:
        return "±0"
    return ("+" if value > 0 else "-") + format_value(abs(value), unit)


def trend_rows(series: Sequence[GateSeries]) -> list[dict[str, Any]]:
    """Rows for the report's Trends table: gate, sparkline, last value, change since previous."""
    rows = []
    for one in series:
        values = [p.value for p in one.points]
        change = change_since_previous(values)
        shown = signed(change, one.unit) if change is not None else "—"
        rows.append(
            {
                "gate": one.title,
                "gate_id": one.gate_id,
                "sparkline": sparkline(values),
                "last": format_value(values[-1], one.unit),
                "change": shown,
            }
        )
    return rows
