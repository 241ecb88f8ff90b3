"""Waivers: a named owner accepts a gate's outcome until a date; then it blocks again."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from gacheck.config.for_each import template_of
from gacheck.config.model import Waiver
from gacheck.core.models import GateResult, Status, WaiverRecord

_NOT_WAIVABLE = frozenset({Status.SKIPPED})


def apply_waivers(
    results: Sequence[GateResult], waivers: Sequence[Waiver], today: date
) -> tuple[list[GateResult], list[WaiverRecord], list[str]]:
    """Results with active waivers applied, the waiver records, and notes on expired ones."""
    records = [
        WaiverRecord(
            gate=w.gate,
            reason=w.reason,
            owner=w.owner,
            expires=w.expires,
            active=w.expires >= today,
        )
        for w in waivers
    ]
    active = {r.gate: r for r in records if r.active}
    notes = [
        f"waiver for {r.gate} (owner {r.owner}) expired on {r.expires.isoformat()}; ignored"
        for r in records
        if not r.active
    ]
    waived: list[GateResult] = []
    for result in results:
        waiver = active.get(result.id) or active.get(template_of(result.id))
        if waiver is None or result.status in _NOT_WAIVABLE:
            waived.append(result)
            continue
        waived.append(
            result.model_copy(
                update={
                    "status": Status.WAIVED,
                    "measured_status": result.status,
                    "message": f"waived until {waiver.expires.isoformat()} by {waiver.owner}: "
                    f"{waiver.reason} (measured: {result.status.value}; {result.message})",
                }
            )
        )
    return waived, records, notes
