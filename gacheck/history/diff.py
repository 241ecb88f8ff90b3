"""What changed between two audits: gate statuses and values, thresholds, config, findings.

Works on the JSON documents as written (not the models), so audits from older gacheck versions
compare too. "Worse" is a move down the ladder pass < warn, waived < error, no_data < fail;
a gate that is skipped on either side is not compared.

A finding is the same finding in both audits when its identity is: for an alert (the
``alerts`` gate's rows), its name and labels, so an alert that keeps firing is "changed" (its
minutes firing moved), not resolved and new again; for any other finding, its code, file,
line and message.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

RANK = {"pass": 0, "warn": 1, "waived": 1, "error": 2, "no_data": 2, "fail": 3}


@dataclass(frozen=True)
class GateChange:
    gate: str
    title: str
    unit: str
    old_status: str
    new_status: str
    old_value: float | None
    new_value: float | None
    old_threshold: dict[str, Any]
    new_threshold: dict[str, Any]

    @property
    def worse(self) -> bool:
        old, new = RANK.get(self.old_status), RANK.get(self.new_status)
        return old is not None and new is not None and new > old

    @property
    def better(self) -> bool:
        old, new = RANK.get(self.old_status), RANK.get(self.new_status)
        return old is not None and new is not None and new < old

    @property
    def value_changed(self) -> bool:
        if self.old_value is None or self.new_value is None:
            return self.old_value != self.new_value
        return not math.isclose(self.old_value, self.new_value, rel_tol=1e-9, abs_tol=1e-12)

    @property
    def threshold_changed(self) -> bool:
        return self.old_threshold != self.new_threshold


@dataclass(frozen=True)
class AuditDiff:
    old: dict[str, Any]
    new: dict[str, Any]
    changes: list[GateChange]  # gates in both audits where anything changed
    added: list[str]
    removed: list[str]
    new_findings: list[dict[str, Any]] = field(default_factory=list)
    resolved_findings: list[dict[str, Any]] = field(default_factory=list)
    changed_findings: list[dict[str, Any]] = field(default_factory=list)
    """Findings in both audits whose measure changed: ``{gate, finding, old, new}``."""

    @property
    def worse(self) -> list[GateChange]:
        return [c for c in self.changes if c.worse]

    @property
    def config_changed(self) -> bool:
        return self.old.get("config_sha256") != self.new.get("config_sha256")


def _gates(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    gates = document.get("gates")
    if not isinstance(gates, list):
        return {}
    return {g["id"]: g for g in gates if isinstance(g, dict) and isinstance(g.get("id"), str)}


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _threshold(gate: dict[str, Any]) -> dict[str, Any]:
    raw = gate.get("threshold") or {}
    return {k: raw.get(k) for k in ("max", "min", "warn")} if isinstance(raw, dict) else {}


def _alerts(gate_id: str, gate: dict[str, Any]) -> dict[tuple[Any, ...], dict[str, Any]] | None:
    """The counted alerts of an ``alerts`` gate by name and labels; None for other gates."""
    evidence = gate.get("evidence")
    details = evidence.get("details") if isinstance(evidence, dict) else None
    rows = details.get("alerts") if isinstance(details, dict) else None
    if not isinstance(rows, list):
        return None
    found = {}
    for row in rows:
        if not isinstance(row, dict) or row.get("allowed"):
            continue
        raw_labels = row.get("labels")
        labels = raw_labels if isinstance(raw_labels, dict) else {}
        name = str(row.get("alertname", labels.get("alertname", "?")))
        shown = ", ".join(f'{k}="{v}"' for k, v in sorted(labels.items()) if k != "alertname")
        key = (gate_id, "alert", name, tuple(sorted((str(k), str(v)) for k, v in labels.items())))
        found[key] = {"gate": gate_id, "code": name, "message": f"{name} {{{shown}}}",
                      "minutes_firing": _number(row.get("minutes_firing")),
                      "first": row.get("first"), "last": row.get("last")}
    return found


def _findings(gate_id: str, gate: dict[str, Any]) -> dict[tuple[Any, ...], dict[str, Any]]:
    alerts = _alerts(gate_id, gate)
    if alerts is not None:
        return alerts
    evidence = gate.get("evidence")
    listed = evidence.get("findings") if isinstance(evidence, dict) else None
    found = {}
    for f in listed if isinstance(listed, list) else []:
        if isinstance(f, dict):
            key = (gate_id, f.get("code"), f.get("file"), f.get("line"), f.get("message"))
            found[key] = {"gate": gate_id, **f}
    return found


def diff_audits(old: dict[str, Any], new: dict[str, Any]) -> AuditDiff:
    old_gates, new_gates = _gates(old), _gates(new)
    changes: list[GateChange] = []
    new_findings: list[dict[str, Any]] = []
    resolved: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    for gate_id, after in new_gates.items():
        before = old_gates.get(gate_id)
        if before is None:
            continue
        change = GateChange(
            gate=gate_id,
            title=str(after.get("title", gate_id)),
            unit=str(after.get("unit", "number")),
            old_status=str(before.get("status")),
            new_status=str(after.get("status")),
            old_value=_number(before.get("value")),
            new_value=_number(after.get("value")),
            old_threshold=_threshold(before),
            new_threshold=_threshold(after),
        )
        if (change.old_status != change.new_status or change.value_changed
                or change.threshold_changed):
            changes.append(change)
        was, now = _findings(gate_id, before), _findings(gate_id, after)
        new_findings += [now[k] for k in now if k not in was]
        resolved += [was[k] for k in was if k not in now]
        changed += [{"gate": gate_id, "finding": now[k]["message"],
                     "old": was[k].get("minutes_firing"), "new": now[k].get("minutes_firing")}
                    for k in now if k in was
                    and was[k].get("minutes_firing") != now[k].get("minutes_firing")]
    return AuditDiff(
        old=old,
        new=new,
        changes=changes,
        added=[g for g in new_gates if g not in old_gates],
        removed=[g for g in old_gates if g not in new_gates],
        new_findings=new_findings,
        resolved_findings=resolved,
        changed_findings=changed,
    )
