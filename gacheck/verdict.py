"""The scoring arithmetic, in one place: a value against a threshold, gates into a verdict.

Fail-closed: a blocking gate that could not be measured (``error``, ``no_data``) makes the
verdict ``incomplete``, never ``pass``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from gacheck.models import GateResult, Status, Threshold, Verdict
from gacheck.units import format_value

_SEVERITY = {Status.PASS: 0, Status.WARN: 1, Status.FAIL: 2}
CREDIT = {Status.PASS: 1.0, Status.WARN: 0.5}
"""Score credit per status; every other counted status earns 0."""
UNSCORED = frozenset({Status.SKIPPED, Status.WAIVED})


def judge(value: float, threshold: Threshold) -> tuple[Status, str]:
    """``pass``/``warn``/``fail`` for a value, and the comparison in words."""
    shown = format_value(value, threshold.unit)
    if threshold.max is not None:
        limit = format_value(threshold.max, threshold.unit)
        if value > threshold.max:
            return Status.FAIL, f"{shown} > max {limit}"
        if threshold.warn is not None and value > threshold.warn:
            return Status.WARN, f"{shown} > warn {format_value(threshold.warn, threshold.unit)}"
        return Status.PASS, f"{shown} ≤ {limit}"
    assert threshold.min is not None
    limit = format_value(threshold.min, threshold.unit)
    if value < threshold.min:
        return Status.FAIL, f"{shown} < min {limit}"
    if threshold.warn is not None and value < threshold.warn:
        return Status.WARN, f"{shown} < warn {format_value(threshold.warn, threshold.unit)}"
    return Status.PASS, f"{shown} ≥ {limit}"


def worse(first: Status, second: Status) -> Status:
    """The worse of two of pass/warn/fail."""
    return first if _SEVERITY[first] >= _SEVERITY[second] else second


def score(results: Sequence[GateResult]) -> float:
    """0–100, weighted: pass earns 1, warn 0.5, anything else 0; skipped and waived don't count."""
    counted = [r for r in results if r.status not in UNSCORED]
    total = sum(r.weight for r in counted)
    if total == 0:
        return 0.0
    earned = sum(r.weight * CREDIT.get(r.status, 0.0) for r in counted)
    share = 100.0 * earned / total
    return round(share, 1) if math.isfinite(share) else 0.0  # never NaN: JSON has none


def decide(
    results: Sequence[GateResult], min_score: float | None = None
) -> tuple[Verdict, list[str]]:
    """The verdict, and why, when it is not ``pass``."""
    reasons: list[str] = []
    blocking = [r for r in results if r.blocking]
    failed = [r.id for r in blocking if r.status is Status.FAIL]
    unmeasured = [r.id for r in blocking if r.status in (Status.ERROR, Status.NO_DATA)]
    warned = [r.id for r in results if r.status is Status.WARN]
    soft_failed = [r.id for r in results if not r.blocking and r.status is Status.FAIL]
    soft_unmeasured = [
        r.id for r in results if not r.blocking and r.status in (Status.ERROR, Status.NO_DATA)
    ]
    total = score(results)
    below = min_score is not None and not total >= min_score  # a NaN never passes
    if failed:
        reasons.append("blocking gates failed: " + ", ".join(failed))
    if below:
        reasons.append(f"score {total:g} is below min_score {min_score:g}")
    if unmeasured:
        reasons.append("blocking gates could not be measured: " + ", ".join(unmeasured))
    if warned:
        reasons.append("gates warned: " + ", ".join(warned))
    if soft_failed:
        reasons.append("non-blocking gates failed: " + ", ".join(soft_failed))
    if soft_unmeasured:
        reasons.append("non-blocking gates could not be measured: " + ", ".join(soft_unmeasured))
    if not any(r.status not in UNSCORED for r in results):
        reasons.append("no gate was evaluated")
        return Verdict.INCOMPLETE, reasons
    if failed or below:
        return Verdict.FAIL, reasons
    if unmeasured:
        return Verdict.INCOMPLETE, reasons
    if warned or soft_failed or soft_unmeasured:
        return Verdict.WARN, reasons
    return Verdict.PASS, reasons
