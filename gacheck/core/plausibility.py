"""Answers gacheck cannot vouch for: partial (warnings) or impossible (negative durations).

Applied by the engine to every gate's measurement, so no kind can forget them:
- a Prometheus/Thanos/Mimir answer that carried ``warnings`` (a partial response, a truncated
  result) cannot make a gate pass or warn: it is ``error``, unless every warning matches a
  pattern of ``[prometheus].allowed_warnings``. A failure stays a failure;
- a negative ratio or duration (latency, soak) cannot be measured: ``error``. Checked on the
  value of kinds that say their value is never negative (``non_negative = True``: a soak, a
  ratio of events, a latency quantile; not a relative change or a remaining budget), and on
  every sample of a sustained SLI in ``ratio`` or ``seconds`` (``first_negative``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence

from gacheck.core.models import Evidence
from gacheck.core.units import Unit, format_value

NON_NEGATIVE = frozenset({Unit.SECONDS, Unit.RATIO})


def unallowed_warnings(evidence: Evidence, patterns: Sequence[str]) -> list[str]:
    """The warnings of the evidence's queries that no allowed pattern matches, in order."""
    compiled = [re.compile(p) for p in patterns]
    seen: list[str] = []
    for query in evidence.queries:
        for warning in query.warnings:
            if warning not in seen and not any(p.search(warning) for p in compiled):
                seen.append(warning)
    return seen


def partial_message(warnings: list[str]) -> str:
    shown = "; ".join(w[:200] for w in warnings[:3])
    more = f" and {len(warnings) - 3} more" if len(warnings) > 3 else ""
    return (f"Prometheus answered with warnings, so the evidence may be partial: {shown}{more} "
            "(harmless ones can be allowed in [prometheus].allowed_warnings)")


def impossible_value(value: float | None, unit: Unit, non_negative: bool) -> str | None:
    if not non_negative or value is None or math.isnan(value) or value >= 0:
        return None
    return f"impossible value {format_value(value, unit)}: a {unit.value} value cannot be negative"


def first_negative(samples: Iterable[tuple[str, Sequence[float], Sequence[float]]],
                   unit: Unit) -> str | None:
    """``series at time = value`` of the first negative sample among (name, times, values)."""
    if unit not in NON_NEGATIVE:
        return None
    from datetime import UTC, datetime

    for name, times, values in samples:
        for ts, value in zip(times, values, strict=False):
            if value < 0:
                when = datetime.fromtimestamp(ts, UTC).isoformat().replace("+00:00", "Z")
                return (f"impossible value {format_value(value, unit)} of {name} at {when}: "
                        f"a {unit.value} value cannot be negative")
    return None
