"""Blind time as evidence of any Prometheus gate, from the shared coverage query.

Gates with the same window and step share one query per evaluation (the default config's
alerts, denial-rate and p95 gates ask it once). Here it is only recorded: the gate's own rules
(coverage, ``min_coverage``) decide; the stretches say *why* samples are missing (Prometheus
saw nothing at all) and where. A failing coverage query is a note, never the gate's error.
"""

from __future__ import annotations

from typing import Any

from gacheck.collectors.prometheus.window import RangeWindow
from gacheck.context import Context
from gacheck.core.errors import CollectorError
from gacheck.core.models import QueryRecord
from gacheck.sli.coverage import Signals, monitoring_coverage


def record_blind_time(ctx: Context, window: RangeWindow, details: dict[str, Any],
                      notes: list[str]) -> list[QueryRecord]:
    """Put ``details["blind"]`` and return the query record (none when nothing is set up)."""
    try:
        coverage = monitoring_coverage(ctx, window, Signals.of(ctx))
    except CollectorError as exc:
        notes.append(f"monitoring blind time unknown: {exc}")
        return []
    if coverage is None:
        return []
    details["blind"] = coverage.report.details()
    return [coverage.result.record]


def blind_text(details: dict[str, Any]) -> str:
    """``; Prometheus itself saw nothing for 11h59m (from ...)`` when it was blind."""
    blind = details.get("blind") or {}
    if not blind.get("stretches"):
        return ""
    longest = max(blind["stretches"], key=lambda s: s["duration_s"])
    return (f"; monitoring was blind for {blind['blind']} in {blind['stretch_count']} "
            f"stretch(es), the longest {longest['duration']} from {longest['start']}")
