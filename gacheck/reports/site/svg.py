"""Geometry for the dashboard's inline SVG charts: numbers only, the templates draw them (and
escape every label). No script, no external file: a chart works from ``file://`` and offline."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from gacheck.reports.site.model import GatePoint


@dataclass(frozen=True)
class Marker:
    x: float
    y: float
    status: str  # fail, warn, waived, error...
    label: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    lines: list[str]  # polyline "x,y x,y" runs of the value (a gap splits them)
    limits: dict[str, list[str]] = field(default_factory=dict)  # max/min/warn threshold runs
    markers: list[Marker] = field(default_factory=list)
    ticks: list[tuple[float, float]] = field(default_factory=list)  # (y, value)
    first: str = ""
    last: str = ""


def _runs(xs: Sequence[float], ys: Sequence[float | None], scale: tuple[float, float, float],
          ) -> list[str]:
    low, span, height = scale
    runs: list[str] = []
    current: list[str] = []
    for x, y in zip(xs, ys, strict=True):
        if y is None:
            if current:
                runs.append(" ".join(current))
            current = []
            continue
        current.append(f"{x:.1f},{height - (y - low) / span * height:.1f}")
    if current:
        runs.append(" ".join(current))
    return runs


def _range(values: list[float]) -> tuple[float, float]:
    low, high = min(values), max(values)
    if high == low:
        pad = abs(high) * 0.1 or 1.0
        return low - pad, high + pad
    pad = (high - low) * 0.08
    return low - pad, high + pad


def sparkline(points: Sequence[GatePoint], width: int = 120, height: int = 28) -> Chart:
    """The value over the last days, scaled to its own range (a trend, not a level)."""
    values = [p.value for p in points]
    known = [v for v in values if v is not None]
    if not known:
        return Chart(width, height, [])
    low, high = _range(known)
    step = width / max(len(values) - 1, 1)
    xs = [i * step for i in range(len(values))]
    markers = [Marker(x, height - ((p.value or 0) - low) / (high - low) * height, p.status, "")
               for x, p in zip(xs, points, strict=True)
               if p.value is not None and p.status in ("fail", "warn", "waived")]
    return Chart(width, height, _runs(xs, values, (low, high - low, height)), markers=markers)


def history_chart(points: Sequence[GatePoint], shown: str, width: int = 720,
                  height: int = 200) -> Chart:
    """Value and threshold levels day by day; fail, warn, waived and unmeasured days marked.
    ``shown`` formats a value for the axis labels."""
    values = [p.value for p in points]
    levels = {name: [p.level(name) for p in points] for name in ("max", "min", "warn")}
    known = [v for v in values if v is not None]
    known += [v for run in levels.values() for v in run if v is not None]
    if not known:
        return Chart(width, height, [])
    low, high = _range(known)
    scale = (low, high - low, float(height))
    step = width / max(len(points) - 1, 1)
    xs = [i * step for i in range(len(points))]
    markers = []
    for x, point in zip(xs, points, strict=True):
        status = "waived" if point.waived else point.status
        if status == "pass":
            continue
        y = height - ((point.value if point.value is not None else low) - low) / (
            high - low) * height
        value = "no value" if point.value is None else shown_value(shown, point.value)
        markers.append(Marker(x, y, status, f"{point.page.day}: {status}, {value}"))
    ticks = [(height - (v - low) / (high - low) * height, v)
             for v in (low + (high - low) * f for f in (0.1, 0.5, 0.9))]
    limits = {name: _runs(xs, run, scale) for name, run in levels.items() if any(
        v is not None for v in run)}
    return Chart(width, height, _runs(xs, values, scale), limits, markers, ticks,
                 points[0].page.day, points[-1].page.day)


def shown_value(unit: str, value: float) -> str:
    from gacheck.core.units import Unit, format_value

    try:
        return format_value(value, Unit(unit))
    except ValueError:
        return format_value(value, Unit.NUMBER)
