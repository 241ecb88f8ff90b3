"""A whole audit folder read back for the dashboard (``gacheck site``): the full audits, the
partial ones (shown as such, never as a day's audit), and every file that could not be used,
named with the reason. Reading is ``store``'s: one reader for every command."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from gacheck.config.model import Settings
from gacheck.core.models import SCHEMA_VERSION
from gacheck.history.store import PastAudit, UnusableAudit, load_history, read_past_audit

ANY_LAYOUT = Settings(path_template="**/*.{ext}", latest_template="*latest.{ext}")
"""Every JSON file under a folder given with ``--audits``, except the ``latest`` copies: the
GA layout (``{date}/ga-readiness``) and the research one (``RESEARCH_AUDIT_{stamp}``) alike."""


@dataclass(frozen=True)
class AuditFolder:
    """One folder of audits: full ones oldest first, partial ones, and what was skipped."""

    name: str
    directory: Path
    audits: list[PastAudit]
    partial: list[PastAudit] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def read_folder(directory: Path, settings: Settings, now: datetime, name: str = "") -> AuditFolder:
    """The audits in ``directory``; one evaluated after ``now`` is skipped and named (a clock
    that was wrong, or a hand-edited file: it must not become "today")."""
    versions = range(1, SCHEMA_VERSION + 1)
    history = load_history(directory, settings, accepted_versions=versions)
    skipped = list(history.skipped)
    audits = [past for past in history.audits if _not_future(past, now, skipped)]
    partial = []
    for path in history.partial:
        try:
            past, _ = read_past_audit(Path(path), versions, directory)
        except UnusableAudit as exc:  # read a moment ago: changed since
            skipped.append(f"{path}: {exc}")
            continue
        if _not_future(past, now, skipped):
            partial.append(past)
    partial.sort(key=lambda p: p.evaluated_at)
    return AuditFolder(name or directory.name, directory, audits, partial, skipped)


def _not_future(past: PastAudit, now: datetime, skipped: list[str]) -> bool:
    if past.evaluated_at <= now:
        return True
    skipped.append(f"{past.path}: evaluated_at {past.evaluated_at.isoformat()} is in the "
                   "future; left out")
    return False
