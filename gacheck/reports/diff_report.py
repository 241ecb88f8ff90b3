"""``gacheck diff`` output: text, JSON or Markdown, the worse changes first."""

from __future__ import annotations

import json
from typing import Any

from gacheck.core.units import Unit, format_value
from gacheck.history.diff import AuditDiff, GateChange
from gacheck.reports.markdown import md

_FINDINGS_SHOWN = 50


def _unit(name: str) -> Unit:
    try:
        return Unit(name)
    except ValueError:
        return Unit.NUMBER


def _threshold(levels: dict[str, Any], unit: str) -> str:
    parts = [f"{k} {format_value(v, _unit(unit))}" for k, v in levels.items() if v is not None]
    return ", ".join(parts) or "—"


def _describe(c: GateChange) -> str:
    mark = "WORSE" if c.worse else "better" if c.better else "changed"
    unit = _unit(c.unit)
    parts = [f"{c.old_status} -> {c.new_status}" if c.old_status != c.new_status else c.new_status]
    if c.value_changed:
        old, new = format_value(c.old_value, unit), format_value(c.new_value, unit)
        parts.append(f"value {old} -> {new}")
    if c.threshold_changed:
        parts.append(f"threshold {_threshold(c.old_threshold, c.unit)} -> "
                     f"{_threshold(c.new_threshold, c.unit)}")
    return f"{mark}: {c.gate}: " + "; ".join(parts)


def _ordered(diff: AuditDiff) -> list[GateChange]:
    return sorted(diff.changes, key=lambda c: (not c.worse, not c.better, c.gate))


def _finding(f: dict[str, Any]) -> str:
    where = f.get("file") or ""
    if where and f.get("line"):
        where += f":{f['line']}"
    parts = [f["gate"], where, f.get("code") or "", str(f.get("message", ""))]
    return " ".join(p for p in parts if p)


def _minutes(value: float | None) -> str:
    if value is None:
        return "?"
    return f"{value:g} minute" + ("" if value == 1 else "s")


def _header(diff: AuditDiff) -> list[str]:
    old, new = diff.old, diff.new
    lines = [
        f"old: {old.get('evaluated_at')} verdict {old.get('verdict')} score {old.get('score')}",
        f"new: {new.get('evaluated_at')} verdict {new.get('verdict')} score {new.get('score')}",
    ]
    for label, document in (("old", old), ("new", new)):
        selection = document.get("selection")
        if document.get("partial") and isinstance(selection, dict):
            left_out = ", ".join(str(g) for g in selection.get("left_out") or [])
            lines.append(f"{label} is a partial audit: {left_out} not evaluated")
    if diff.config_changed:
        lines.append(f"config changed: sha256 {str(old.get('config_sha256'))[:12]} -> "
                     f"{str(new.get('config_sha256'))[:12]}")
    return lines


def _body(diff: AuditDiff) -> list[str]:
    lines = [_describe(c) for c in _ordered(diff)]
    lines += [f"added gate: {g}" for g in diff.added]
    lines += [f"removed gate: {g}" for g in diff.removed]
    for label, found in (("new finding", diff.new_findings),
                         ("resolved finding", diff.resolved_findings)):
        lines += [f"{label}: {_finding(f)}" for f in found[:_FINDINGS_SHOWN]]
        if len(found) > _FINDINGS_SHOWN:
            lines.append(f"... {len(found) - _FINDINGS_SHOWN} more {label}s")
    lines += [f"changed finding: {c['gate']} {c['finding']}: firing {_minutes(c['old'])} -> "
              f"{_minutes(c['new'])}" for c in diff.changed_findings[:_FINDINGS_SHOWN]]
    return lines or ["no gate changed"]


def render_text(diff: AuditDiff) -> str:
    return "\n".join(_header(diff) + [""] + _body(diff)) + "\n"


def render_markdown(diff: AuditDiff) -> str:
    lines = ["# GA readiness diff", ""]
    lines += [f"- {md(line)}" for line in _header(diff)]
    lines += [""] + [f"- {md(line)}" for line in _body(diff)]
    return "\n".join(lines) + "\n"


def render_json(diff: AuditDiff) -> str:
    document = {
        "old": {k: diff.old.get(k) for k in ("evaluated_at", "verdict", "score", "config_sha256")},
        "new": {k: diff.new.get(k) for k in ("evaluated_at", "verdict", "score", "config_sha256")},
        "config_changed": diff.config_changed,
        "worse": [c.gate for c in diff.worse],
        "changes": [
            {
                "gate": c.gate, "title": c.title, "unit": c.unit,
                "old_status": c.old_status, "new_status": c.new_status,
                "old_value": c.old_value, "new_value": c.new_value,
                "old_threshold": c.old_threshold, "new_threshold": c.new_threshold,
                "worse": c.worse, "better": c.better,
            }
            for c in _ordered(diff)
        ],
        "added_gates": diff.added,
        "removed_gates": diff.removed,
        "new_findings": diff.new_findings,
        "resolved_findings": diff.resolved_findings,
        "changed_findings": diff.changed_findings,
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


RENDERERS = {"text": render_text, "json": render_json, "markdown": render_markdown}
