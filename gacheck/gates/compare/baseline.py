"""A ``compare`` gate's baseline from an earlier audit: the candidate median it recorded.

``audit:last-pass`` takes the newest earlier audit in which this gate passed,
``audit:last`` the newest in which it was judged at all (pass, warn or fail). An audit whose
candidate query differs from today's is passed over (a median of another query is no
baseline) and said so. None found is ``no_data``, never a pass: no history is no evidence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from gacheck.context import Context
from gacheck.core.errors import NoDataError
from gacheck.core.models import Evidence

_JUDGED = ("pass", "warn", "fail")


@dataclass(frozen=True)
class AuditBaseline:
    median: float
    evaluated_at: datetime
    path: Path
    notes: list[str] = field(default_factory=list)

    def describe(self) -> str:
        moment = self.evaluated_at.isoformat().replace("+00:00", "Z")
        return f"the audit evaluated at {moment} ({self.path.name} in {self.path.parent.name})"


def audit_baseline(ctx: Context, gate_id: str, query: str, rule: str) -> AuditBaseline:
    from gacheck.history.store import history_before

    history = history_before(ctx)
    wanted = ("pass",) if rule == "audit:last-pass" else _JUDGED
    notes = [f"history: {item}" for item in history.skipped]
    for audit in reversed(history.audits):
        gate = audit.gate(gate_id)
        if not gate or gate.get("status") not in wanted:
            continue
        side = (gate.get("evidence") or {}).get("details", {}).get("candidate") or {}
        median = side.get("median") if isinstance(side, dict) else None
        if not isinstance(median, int | float) or isinstance(median, bool):
            continue
        if side.get("query") != query:
            notes.append(f"passed over the audit of {audit.evaluated_at.isoformat()}: its "
                         "candidate query differs from this one")
            continue
        return AuditBaseline(float(median), audit.evaluated_at, audit.path, notes)
    which = "passed" if rule == "audit:last-pass" else "was judged"
    raise NoDataError(f"no baseline: no earlier audit in {ctx.audit_dir} in which {gate_id} "
                      f"{which} with the same query ({rule}); without a baseline there is no "
                      "pass", Evidence(notes=notes))
