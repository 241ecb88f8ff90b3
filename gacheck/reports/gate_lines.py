"""The gates a person must look at, one line each: value against threshold and why.

Shared by the notifications and ``serve``'s answers, so a failing gate reads the same in Slack,
in a Flagger event and in the audit.
"""

from __future__ import annotations

from dataclasses import dataclass

from gacheck.core.models import Audit, GateResult, Status
from gacheck.core.units import format_value

PROBLEMS = (Status.FAIL, Status.ERROR, Status.NO_DATA)
"""Failing (``fail``) and unmeasured (``error``, ``no_data``) gates."""
MAX_REASON = 300


@dataclass(frozen=True)
class GateLine:
    id: str
    status: str
    value: str
    threshold: str
    reason: str

    def text(self) -> str:
        """``p95_latency fail: 350ms vs ≤ 300ms (sustained 20m)``."""
        return f"{self.id} {self.status}: {self.value} vs {self.threshold} ({self.reason})"


def gate_line(gate: GateResult) -> GateLine:
    reason = gate.message if len(gate.message) <= MAX_REASON else gate.message[:MAX_REASON] + "…"
    return GateLine(
        id=gate.id,
        status=gate.status.value,
        value=format_value(gate.value, gate.unit),
        threshold=gate.threshold.describe() or "—",
        reason=reason,
    )


def problem_lines(audit: Audit) -> list[GateLine]:
    """Each failing or unmeasured gate, in the audit's order."""
    return [gate_line(g) for g in audit.gates if g.status in PROBLEMS]


def headline(audit: Audit) -> str:
    """``gacheck: FAIL (score 50/100) at 2026-12-06T09:00:00Z``."""
    at = audit.evaluated_at.isoformat().replace("+00:00", "Z")
    return f"gacheck: {audit.verdict.value.upper()} (score {audit.score:g}/100) at {at}"
