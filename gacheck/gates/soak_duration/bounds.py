"""What a soak's start time may drive: plausibility before it becomes queries.

A start time of 0 (an exporter that never set ``process_start_time_seconds``) read as a soak
of 56 years sent a coverage query paging back to 1970: 11,000 range queries, and a pass. Now:

- a start at or before 0, NaN, infinite or past the calendar is a broken exporter: ``error``;
- the scrape coverage is read over the soak, but never further back than the look-back
  window plus ``LOOKBACK_MARGIN`` (a quarter of the window, at least 6 hours): a soak longer
  than that has its coverage judged over that last stretch, and the evidence says so;
- a soak longer than that is checked against the oldest sample Prometheus holds
  (``tsdb_floor``): a start before it is ``error`` when Prometheus holds less than the
  look-back window (nothing can confirm the soak), and a note when it holds the window (a
  process older than Prometheus' history: common, and its window is fully evidenced).
"""

from __future__ import annotations

from datetime import UTC, datetime

from gacheck.core.errors import GateError
from gacheck.core.models import Evidence
from gacheck.core.units import format_duration

LATEST_START = 253402300799.0  # 9999-12-31T23:59:59Z: the last instant a timestamp can name
MARGIN_SHARE = 0.25
MIN_MARGIN_S = 6 * 3600.0


def _stamp(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat().replace("+00:00", "Z")


def check_start_times(started: dict[str, float], selector: str, evidence: Evidence) -> None:
    """A start time that is 0 or before, NaN, infinite or outside the calendar is a broken
    exporter, not a soak: an ``error`` that says so (and keeps the queries to look at it)."""
    zero = sorted(i for i, v in started.items() if v == 0)
    if zero:
        raise GateError(
            f"{selector} reports start time 0 (1970-01-01) for {', '.join(zero[:5])}: a broken "
            "exporter (process_start_time_seconds not set), so the soak cannot be measured",
            evidence)
    broken = {i: v for i, v in started.items() if not (0 < v <= LATEST_START)}
    if broken:
        shown = ", ".join(f"{i}: {v!r}" for i, v in sorted(broken.items())[:5])
        raise GateError(
            f"{selector} is not a start time ({shown}): the exporter reports an impossible "
            "value, so the soak cannot be measured", evidence
        )


def lookback_margin(lookback_s: float) -> float:
    """How much further back than its window a soak's coverage is read."""
    return max(MARGIN_SHARE * lookback_s, MIN_MARGIN_S)


def coverage_span(soak_s: float, lookback_s: float) -> float:
    """Seconds of the soak whose scrape coverage is read: all of it, up to the bound."""
    return min(soak_s, lookback_s + lookback_margin(lookback_s))


def check_against_tsdb(instance: str, start: float, lowest: float | None, at: float,
                       lookback_s: float, evidence: Evidence) -> str | None:
    """A start before the oldest sample Prometheus holds (``lowest``; ``None``: unknown).

    When Prometheus holds the whole look-back window, its scrapes confirm what the gate
    claims (no restart in the window, the coverage), and a start before its history is a
    process older than that history (a Prometheus that began scraping later, or kept less):
    a note. When it holds less than the window, the soak cannot be confirmed: ``error``."""
    if lowest is None or start >= lowest:
        return None
    held = at - lowest
    if held < lookback_s:
        raise GateError(
            f"{instance} started at {_stamp(start)}, {format_duration(lowest - start)} before "
            f"the oldest sample Prometheus holds ({_stamp(lowest)}), which holds only "
            f"{format_duration(held)}, less than the {format_duration(lookback_s)} look-back "
            "window: a broken exporter's start time, or a soak its scrapes cannot confirm",
            evidence)
    return (f"{instance} started at {_stamp(start)}, before the oldest sample Prometheus holds "
            f"({_stamp(lowest)}): its {format_duration(held)} of history cover the "
            f"{format_duration(lookback_s)} look-back window, the soak before it is the "
            "exporter's word")
