"""The scoring arithmetic, in one place: a value against a threshold, gates into a verdict.

Fail-closed: a blocking gate that could not be measured (``error``, ``no_data``), or that was
left out by ``--only``/``--skip`` (``skipped``), makes the verdict ``incomplete``, never
``pass``. Only a run that asks for a partial verdict (``--partial``) is judged on its selection.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from gacheck.core.models import GateResult, Status, Threshold, Verdict
from gacheck.core.units import format_value

_SEVERITY = {Status.PASS: 0, Status.WARN: 1, Status.FAIL: 2}
CREDIT = {Status.PASS: 1.0, Status.WARN: 0.5}
"""Score credit per status; every other counted status earns 0."""
UNSCORED = frozenset({Status.SKIPPED, Status.WAIVED})
UNMEASURED = frozenset({Status.ERROR, Status.NO_DATA})


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


def score(results: Sequence[GateResult], method: str = "weighted") -> float:
    """0–100. ``weighted``: pass earns 1, warn 0.5, anything else 0; skipped and waived don't
    count. ``kayenta``: see ``kayenta_zero``; else the same credit over the measured gates."""
    counted = [r for r in results if r.status not in UNSCORED]
    if method == "kayenta":
        if kayenta_zero(results):
            return 0.0
        counted = [r for r in counted if r.status not in UNMEASURED]
    total = sum(r.weight for r in counted)
    if total == 0:
        return 0.0
    earned = sum(r.weight * CREDIT.get(r.status, 0.0) for r in counted)
    share = 100.0 * earned / total
    return round(share, 1) if math.isfinite(share) else 0.0  # never NaN: JSON has none


def kayenta_zero(results: Sequence[GateResult]) -> str | None:
    """Why Kayenta-style scoring forces 0, if it does: a blocking gate failed (Kayenta's
    critical metric), or half or more of the scored gates have no data (error/no_data)."""
    counted = [r for r in results if r.status not in UNSCORED]
    failed = [r.id for r in counted if r.blocking and r.status is Status.FAIL]
    if failed:
        return "score forced to 0 (kayenta): blocking gates failed: " + ", ".join(failed)
    unmeasured = [r.id for r in counted if r.status in UNMEASURED]
    if counted and 2 * len(unmeasured) >= len(counted):
        return (f"score forced to 0 (kayenta): {len(unmeasured)} of {len(counted)} gates have "
                "no data: " + ", ".join(unmeasured))
    return None


def decide(
    results: Sequence[GateResult], min_score: float | None = None, partial: bool = False,
    method: str = "weighted",
) -> tuple[Verdict, list[str]]:
    """The verdict, and why, when it is not ``pass``.

    ``partial``: the verdict covers the selected gates only; blocking gates left out do not
    make it ``incomplete`` (the audit says it is partial).
    """
    reasons: list[str] = []
    blocking = [r for r in results if r.blocking]
    failed = [r.id for r in blocking if r.status is Status.FAIL]
    unmeasured = [r.id for r in blocking if r.status in (Status.ERROR, Status.NO_DATA)]
    deselected = [] if partial else [r.id for r in blocking if r.status is Status.SKIPPED]
    warned = [r.id for r in results if r.status is Status.WARN]
    soft_failed = [r.id for r in results if not r.blocking and r.status is Status.FAIL]
    soft_unmeasured = [
        r.id for r in results if not r.blocking and r.status in (Status.ERROR, Status.NO_DATA)
    ]
    total = score(results, method)
    below = min_score is not None and not total >= min_score  # a NaN never passes
    zero = kayenta_zero(results) if method == "kayenta" else None
    if zero:
        reasons.append(zero)
    if failed:
        reasons.append("blocking gates failed: " + ", ".join(failed))
    if below:
        reasons.append(f"score {total:g} is below min_score {min_score:g}")
    if unmeasured:
        reasons.append("blocking gates could not be measured: " + ", ".join(unmeasured))
    if deselected:
        reasons.append(
            "blocking gates were not evaluated (left out by --only/--skip): "
            + ", ".join(deselected) + "; --partial gives a verdict on the selection only"
        )
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
    if unmeasured or deselected:
        return Verdict.INCOMPLETE, reasons
    if warned or soft_failed or soft_unmeasured:
        return Verdict.WARN, reasons
    return Verdict.PASS, reasons
