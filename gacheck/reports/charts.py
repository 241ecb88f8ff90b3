"""PNG charts of a gate over time, for people: labelled axes, the threshold line, fail days marked.

matplotlib is the optional ``plot`` extra and slow to import, so it is imported here, inside the
functions, and only when charts are asked for. The object-oriented API (``Figure``) is used
rather than ``pyplot``: no global state, safe next to the gate threads.
"""

from __future__ import annotations

import io
import warnings
from typing import Any

from gacheck.core.models import GateResult
from gacheck.core.units import Unit, format_value
from gacheck.history.series import GateSeries

WIDTH_PX, HEIGHT_PX, DPI = 800, 300, 100


def plotting_available() -> bool:
    """True when the ``plot`` extra (matplotlib) is installed."""
    from importlib.util import find_spec

    return find_spec("matplotlib") is not None


def _scale(series: GateSeries) -> tuple[float, str]:
    """Factor and axis label so values read the way thresholds are written (ms, %, counts)."""
    if series.unit is Unit.SECONDS:
        biggest = max([abs(p.value) for p in series.points] + [0.0])
        if biggest < 1 and (series.threshold.max or series.threshold.min or 0) < 1:
            return 1000.0, "milliseconds"
        if biggest >= 3 * 3600:
            return 1 / 3600, "hours"
        return 1.0, "seconds"
    if series.unit is Unit.RATIO:
        return 100.0, "percent"
    return 1.0, series.unit.value


def render_chart(series: GateSeries) -> bytes:
    """The chart as PNG bytes, exactly WIDTH_PX x HEIGHT_PX."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
    from matplotlib.figure import Figure

    factor, unit_label = _scale(series)
    dates = [p.at for p in series.points]
    values = [p.value * factor for p in series.points]
    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI, layout="constrained")
    axes = figure.add_subplot()
    # matplotlib's stubs have no datetime data (matplotlib#27140); its date converter takes it
    axes.plot(dates, values,  # type: ignore[arg-type]
              marker="o", markersize=4, linewidth=1.5, label="value")
    limit = series.threshold.max if series.threshold.max is not None else series.threshold.min
    if limit is not None:
        word = "max" if series.threshold.max is not None else "min"
        axes.axhline(limit * factor, color="tab:red", linestyle="--", linewidth=1,
                     label=f"{word} {format_value(limit, series.unit)}")
    if series.threshold.warn is not None:
        axes.axhline(series.threshold.warn * factor, color="tab:orange", linestyle=":",
                     linewidth=1, label=f"warn {format_value(series.threshold.warn, series.unit)}")
    failed = [(p.at, p.value * factor) for p in series.points if p.status == "fail"]
    if failed:
        axes.scatter([d for d, _ in failed],  # type: ignore[arg-type]  # dates, as above
                     [v for _, v in failed], marker="x", s=60,
                     color="tab:red", zorder=3, label="fail")
    locator = AutoDateLocator()
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    axes.set_xlabel("evaluation date (UTC)")
    axes.set_ylabel(f"{series.gate_id} ({unit_label})")
    axes.set_title(series.title, fontsize=10)
    axes.grid(True, alpha=0.3)
    axes.legend(loc="best", fontsize=8)
    buffer = io.BytesIO()
    with warnings.catch_warnings():  # tick-placement advice is not for the user's terminal
        warnings.simplefilter("ignore", UserWarning)
        # No "Software" metadata: the same data gives the same bytes, so re-runs commit nothing.
        figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def curve_routes(result: GateResult) -> list[dict[str, Any]]:
    """The routes of a gate whose evidence holds a load curve (``details.curve``)."""
    curve = result.evidence.details.get("curve")
    if not isinstance(curve, list):
        return []
    return [c for c in curve if isinstance(c, dict) and c.get("steps")]


def render_curve(result: GateResult) -> bytes:
    """A rate-limit curve as PNG: offered vs accepted requests/s (left), 429 share (right)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI, layout="constrained")
    axes = figure.add_subplot()
    share_axes = axes.twinx()
    top = 0.0
    for route in curve_routes(result):
        steps = route["steps"]
        offered = [s.get("offered_rps") or 0.0 for s in steps]
        accepted = [s.get("accepted_rps") or 0.0 for s in steps]
        refused = [100 * (s.get("refused_share") or 0.0) for s in steps]
        top = max([top, *offered])
        axes.plot(offered, accepted, marker="o", linewidth=1.5,
                  label=f"{route['path']} accepted")
        held = [(o, s["sustained_rps"]) for o, s in zip(offered, steps, strict=True)
                if s.get("sustained_rps") is not None]
        if held:
            axes.scatter([o for o, _ in held], [v for _, v in held], marker="s", s=30,
                         zorder=3, label=f"{route['path']} sustained under 429")
        share_axes.plot(offered, refused, marker="x", linestyle=":", linewidth=1,
                        label=f"{route['path']} 429 share")
        axes.axvline(route["declared_rps"], color="tab:red", linestyle="--", linewidth=1,
                     label=f"declared {route['declared_rps']:g} req/s")
    axes.plot([0, top], [0, top], color="grey", linewidth=0.8, alpha=0.6,
              label="accepted = offered")
    axes.set_xlabel("offered requests/s")
    axes.set_ylabel("accepted requests/s")
    share_axes.set_ylabel("429 share (%)")
    share_axes.set_ylim(0, 100)
    axes.set_title(result.title, fontsize=10)
    axes.grid(True, alpha=0.3)
    lines, labels = axes.get_legend_handles_labels()
    more, more_labels = share_axes.get_legend_handles_labels()
    axes.legend(lines + more, labels + more_labels, loc="upper left", fontsize=7)
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()
