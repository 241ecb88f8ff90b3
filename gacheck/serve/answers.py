"""The JSON callers read: Argo Rollouts' Web provider and Flagger's webhooks.

Argo reads ``$.verdict`` with ``successCondition: result == "pass"`` and
``failureCondition: result == "fail"``, so ``incomplete`` and ``pending`` are inconclusive:
the rollout pauses for a person, never promotes. Flagger reads only the status code: 2xx lets
the canary go on, anything else is a failed check, so the body says which gates and why.
"""

from __future__ import annotations

from typing import Any

from gacheck.core.models import Audit, Verdict
from gacheck.reports.gate_lines import gate_line, headline, problem_lines
from gacheck.serve.jobs import Outcome

PENDING = "pending"
HOOKS = ("confirm-rollout", "pre-rollout", "rollout", "confirm-traffic-increase",
         "confirm-promotion", "post-rollout", "rollback")
"""Flagger's webhook types; a ``confirm-*`` hook answers 2xx only on pass."""
NOT_READY = 412  # a fail, incomplete or (for confirm-*) warn verdict: the check failed
RUNNING = 503  # the evaluation runs on: Flagger retries at its next interval


def verdict_document(outcome: Outcome, cached: bool) -> dict[str, Any]:
    audit = outcome.audit
    return {
        "verdict": audit.verdict.value,
        "score": audit.score,
        "evaluated_at": _instant(audit),
        "partial": audit.partial,
        "gates": [_gate(audit, i) for i in range(len(audit.gates))],
        "audit": outcome.audit_path,
        "cached": cached,
    }


def pending_document(message: str) -> dict[str, Any]:
    return {"verdict": PENDING, "score": None, "gates": [], "audit": None, "message": message}


def incomplete_document(message: str) -> dict[str, Any]:
    return {"verdict": Verdict.INCOMPLETE.value, "score": None, "gates": [], "audit": None,
            "message": message}


def flagger_answer(hook: str, outcome: Outcome) -> tuple[int, dict[str, Any]]:
    """The status for ``hook`` and a body naming each failing or unmeasured gate."""
    audit = outcome.audit
    verdict = audit.verdict
    if hook == "rollback":  # Flagger rolls back when this hook answers 2xx
        ok = verdict is Verdict.FAIL
    elif hook.startswith("confirm-"):
        ok = verdict is Verdict.PASS
    else:
        ok = verdict in (Verdict.PASS, Verdict.WARN)
    lines = [line.text() for line in problem_lines(audit)]
    message = "; ".join([headline(audit), *lines])
    return (200 if ok else NOT_READY), {
        "hook": hook,
        "verdict": verdict.value,
        "score": audit.score,
        "message": message,
        "problems": lines,
        "audit": outcome.audit_path,
    }


def _gate(audit: Audit, index: int) -> dict[str, Any]:
    gate = audit.gates[index]
    line = gate_line(gate)
    return {"id": gate.id, "status": gate.status.value, "value": gate.value,
            "value_text": line.value, "threshold": line.threshold, "unit": gate.unit.value,
            "reason": line.reason}


def _instant(audit: Audit) -> str:
    return audit.evaluated_at.isoformat().replace("+00:00", "Z")
