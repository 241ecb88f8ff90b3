"""Earlier audits, read back from the audit directory: the memory behind trends.

Only the dated full audits count: ``latest`` copies would count a day twice, and a partial
audit (gates left out by ``--only``/``--skip``) is not a day's audit; those are listed in
``partial`` and left out. A file that is not a readable audit is reported in ``skipped`` and
left out, never fatal.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from gacheck.config import Settings
from gacheck.context import Context
from gacheck.models import SCHEMA_VERSION


@dataclass(frozen=True)
class PastAudit:
    """One earlier audit: where it is, when it was evaluated, and its JSON as written."""

    path: Path
    evaluated_at: datetime
    document: dict[str, Any]

    def gate(self, gate_id: str) -> dict[str, Any] | None:
        return next((g for g in self.document.get("gates", []) if g.get("id") == gate_id), None)


@dataclass(frozen=True)
class History:
    audits: list[PastAudit]
    skipped: list[str] = field(default_factory=list)
    partial: list[str] = field(default_factory=list)
    """Partial audits found and left out (paths)."""

    def values(self, gate_id: str, last: int | None = None) -> list[tuple[datetime, float]]:
        """(evaluated_at, value) of a gate in the audits that measured it, oldest first."""
        points = []
        for audit in self.audits:
            gate = audit.gate(gate_id)
            if gate and isinstance(gate.get("value"), int | float) and gate.get("status") not in (
                "error", "no_data", "skipped",
            ):
                points.append((audit.evaluated_at, float(gate["value"])))
        return points[-last:] if last else points

    def points(self, gate_id: str, last: int | None = None) -> list[tuple[datetime, float, str]]:
        """(evaluated_at, value, status) like ``values``, with the status (to mark fail days)."""
        found = []
        for audit in self.audits:
            gate = audit.gate(gate_id)
            if gate and isinstance(gate.get("value"), int | float) and gate.get("status") not in (
                "error", "no_data", "skipped",
            ):
                found.append((audit.evaluated_at, float(gate["value"]), str(gate.get("status"))))
        return found[-last:] if last else found


def dated_pattern(settings: Settings) -> str:
    """The glob that finds dated JSON audits under the output directory."""
    return settings.path_template.replace("{date}", "*").replace("{time}", "*").replace(
        "{stamp}", "*").replace(
        "{ext}", "json"
    )


def latest_pattern(settings: Settings) -> str | None:
    """The glob of the ``latest`` copies, which must never count as a day of their own."""
    if not settings.latest_template:
        return None
    return settings.latest_template.replace("{date}", "*").replace("{time}", "*").replace(
        "{stamp}", "*").replace(
        "{ext}", "json"
    )


def is_partial(path: Path, document: dict[str, Any]) -> bool:
    """A partial audit: marked so, named so, or (older audits) with a gate left out."""
    from gacheck.reports.files import PARTIAL_MARK

    if document.get("partial") is True or path.stem.endswith(PARTIAL_MARK):
        return True
    gates = document.get("gates")
    return isinstance(gates, list) and any(
        isinstance(g, dict) and g.get("status") == "skipped" for g in gates
    )


def load_history(
    audit_dir: Path,
    settings: Settings,
    before: datetime | None = None,
    accepted_versions: Sequence[int] = (SCHEMA_VERSION,),
) -> History:
    """Audits in ``audit_dir`` evaluated strictly before ``before``, oldest first."""
    audits: list[PastAudit] = []
    skipped: list[str] = []
    partial: list[str] = []
    if not audit_dir.is_dir():
        return History([], [])
    pattern = dated_pattern(settings)
    latest = latest_pattern(settings)
    for path in sorted(audit_dir.glob(pattern)):
        relative = path.relative_to(audit_dir).as_posix()
        if latest and latest != pattern and fnmatch.fnmatchcase(relative, latest):
            continue
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(document, dict) or "schema_version" not in document:
                # e.g. a snapshot another tool keeps in the same layout
                skipped.append(f"{path}: not a gacheck audit (no schema_version)")
                continue
            version = document["schema_version"]
            evaluated_at = datetime.fromisoformat(document["evaluated_at"].replace("Z", "+00:00"))
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            skipped.append(f"{path}: not a readable audit ({type(exc).__name__}: {exc})")
            continue
        if version not in accepted_versions:
            skipped.append(f"{path}: schema version {version} is not supported")
            continue
        if before is not None and evaluated_at >= before:
            continue
        if is_partial(path, document):
            partial.append(str(path))
            continue
        audits.append(PastAudit(path, evaluated_at, document))
    audits.sort(key=lambda a: a.evaluated_at)
    return History(audits, skipped, partial)


def history_before(ctx: Context) -> History:
    """The full audits before this evaluation's instant, read once per evaluation and shared
    by every gate and report that needs them (trends of gates, sparklines, charts).

    The dated file a full run at this instant writes is left out: an earlier audit of the same
    day (with the default ``{date}`` layout) is the one this run replaces, not its history.
    """
    from gacheck.reports.files import audit_paths

    def load() -> History:
        found = load_history(ctx.audit_dir, ctx.config.settings, before=ctx.at)
        replaced = audit_paths(ctx.config.settings, ctx.audit_dir, ctx.at).json.resolve()
        kept = [past for past in found.audits if past.path.resolve() != replaced]
        return History(kept, found.skipped, found.partial)

    return ctx.shared(f"history-before-{ctx.at.isoformat()}", load)
