"""Earlier audits, read back from the audit directory: the memory behind trends.

Only the dated full audits count: ``latest`` copies would count a day twice, and a partial
audit (gates left out by ``--only``/``--skip``) is not a day's audit; those are listed in
``partial`` and left out. A file that is not a readable audit is reported in ``skipped`` and
left out, never fatal.
"""

from __future__ import annotations

import fnmatch
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from gacheck.config.model import Settings
from gacheck.context import Context
from gacheck.core.models import SCHEMA_VERSION
from gacheck.core.safe_files import MiB, read_text_confined

MAX_AUDIT_BYTES = 64 * MiB
"""An audit with thousands of findings is a few MB; a bigger file is not one of ours."""


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


EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)
SKIPPED_NOTE = "earlier audit skipped: "
"""How the audit's notes (and stderr) name an earlier audit that could not be used."""
LARGEST_VALUE = 1e100
"""Beyond this a value is corruption, not a measurement: sums and slopes over it would overflow."""


class UnusableAudit(ValueError):
    """An earlier audit that cannot be read back; the message names the file's problem."""


def _instant(text: Any) -> datetime:
    if not isinstance(text, str):
        raise UnusableAudit(f"evaluated_at: expected an RFC 3339 string, got {type(text).__name__}")
    try:
        instant = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise UnusableAudit(f"evaluated_at: not an RFC 3339 instant: {text[:40]!r}") from None
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise UnusableAudit(f"evaluated_at: {text[:40]!r} has no time zone")
    try:
        instant = instant.astimezone(UTC)
    except (OverflowError, ValueError):
        raise UnusableAudit(f"evaluated_at: {text[:40]!r} is out of range") from None
    if not EARLIEST <= instant < LATEST:
        raise UnusableAudit(f"evaluated_at: {text[:40]!r} is not a plausible evaluation instant")
    return instant


def _not_a_gate(gate: Any) -> bool:
    """An entry with no id to file it under: left out, the rest of its audit still counts."""
    return not isinstance(gate, dict) or not isinstance(gate.get("id"), str)


def _gate_problem(gate: dict[str, Any]) -> str | None:
    """What makes a gate entry (with an id) unusable, or None."""
    for key in ("status", "title", "unit", "kind", "message"):
        if key in gate and not isinstance(gate[key], str):
            return f".{key}: not a string"
    value = gate.get("value")
    if value is not None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f".value: {type(value).__name__} is not a number"
        if not math.isfinite(value) or abs(value) > LARGEST_VALUE:
            return f".value: {value!r} is not a plausible value"
    for key in ("threshold", "evidence"):
        if gate.get(key) is not None and not isinstance(gate[key], dict):
            return f".{key}: not an object"
    threshold = gate.get("threshold") or {}
    for level in ("max", "min", "warn"):
        bound = threshold.get(level)
        if bound is not None and (
            isinstance(bound, bool) or not isinstance(bound, int | float)
            or not math.isfinite(bound)
        ):
            return f".threshold.{level}: not a finite number"
    evidence = gate.get("evidence") or {}
    findings = evidence.get("findings", [])
    if not isinstance(findings, list) or not all(isinstance(f, dict) for f in findings):
        return ".evidence.findings: not a list of objects"
    if not isinstance(evidence.get("details") or {}, dict):
        return ".evidence.details: not an object"
    return None


def check_audit(
    document: Any, accepted_versions: Sequence[int] = (SCHEMA_VERSION,)
) -> tuple[datetime, dict[str, Any], list[int]]:
    """An audit document that is safe to read back: its instant, the document with entries
    that are not gates left out, and their indexes. ``UnusableAudit`` names the key that is
    wrong otherwise (what ``history``, ``diff`` and the trends of ``evaluate`` rely on: an
    aware instant, a list of gates, string fields, finite values)."""
    if not isinstance(document, dict) or "schema_version" not in document:
        # e.g. a snapshot another tool keeps in the same layout
        raise UnusableAudit("not a gacheck audit (no schema_version)")
    version = document["schema_version"]
    if isinstance(version, bool) or version not in accepted_versions:
        raise UnusableAudit(f"schema version {str(version)[:20]} is not supported")
    instant = _instant(document.get("evaluated_at"))
    gates = document.get("gates")
    if not isinstance(gates, list):
        raise UnusableAudit("gates: not a list")
    left_out = [index for index, gate in enumerate(gates) if _not_a_gate(gate)]
    for index, gate in enumerate(gates):
        problem = None if index in left_out else _gate_problem(gate)
        if problem:
            raise UnusableAudit(f"gates[{index}]{problem}")
    for key in ("verdict", "config_sha256"):
        if key in document and not isinstance(document[key], str):
            raise UnusableAudit(f"{key}: not a string")
    if left_out:
        document = {**document, "gates": [g for i, g in enumerate(gates) if i not in left_out]}
    return instant, document, left_out


def _not_json(constant: str) -> Any:
    """``NaN`` and ``Infinity`` are not JSON; gacheck never writes them (null instead)."""
    raise ValueError(f"{constant} is not a JSON value")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e400 reads as infinity
        raise ValueError(f"{text[:20]} is not a finite number")
    return value


def read_past_audit(
    path: Path, accepted_versions: Sequence[int] = (SCHEMA_VERSION,), root: Path | None = None
) -> tuple[PastAudit, str | None]:
    """One earlier audit file, checked, and a note on the entries left out of it (if any);
    ``UnusableAudit`` says why the file cannot be used at all."""
    try:
        document = json.loads(
            read_text_confined(path, root or path.parent, MAX_AUDIT_BYTES),
            parse_constant=_not_json, parse_float=_finite,
        )
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise UnusableAudit(f"not a readable audit ({type(exc).__name__}: {reason})") from None
    instant, document, left_out = check_audit(document, accepted_versions)
    note = None
    if left_out:
        shown = ", ".join(f"gates[{i}]" for i in left_out[:5])
        more = f" and {len(left_out) - 5} more" if len(left_out) > 5 else ""
        verb = "is not a gate" if len(left_out) == 1 else "are not gates"
        note = f"{shown}{more} {verb}; left out"
    return PastAudit(path, instant, document), note


def is_partial(path: Path, document: dict[str, Any]) -> bool:
    """A partial audit: marked so, named so, or (older audits) with a gate left out."""
    from gacheck.history.layout import PARTIAL_MARK

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
    """Audits in ``audit_dir`` evaluated strictly before ``before``, oldest first.

    A file that cannot be used is named in ``skipped`` with the reason, once, and left out.
    """
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
            past, note = read_past_audit(path, accepted_versions, audit_dir)
        except UnusableAudit as exc:
            skipped.append(f"{path}: {exc}")
            continue
        if note:
            skipped.append(f"{path}: {note}")
        if before is not None and past.evaluated_at >= before:
            continue
        if is_partial(path, past.document):
            partial.append(str(path))
            continue
        audits.append(past)
    audits.sort(key=lambda a: a.evaluated_at)
    return History(audits, skipped, partial)


def history_before(ctx: Context) -> History:
    """The full audits before this evaluation's instant, read once per evaluation and shared
    by every gate and report that needs them (trends of gates, sparklines, charts).

    The dated file a full run at this instant writes is left out: an earlier audit of the same
    day (with the default ``{date}`` layout) is the one this run replaces, not its history.
    """
    from gacheck.history.layout import audit_paths

    def load() -> History:
        found = load_history(ctx.audit_dir, ctx.config.settings, before=ctx.at)
        replaced = audit_paths(ctx.config.settings, ctx.audit_dir, ctx.at).json.resolve()
        kept = [past for past in found.audits if past.path.resolve() != replaced]
        return History(kept, found.skipped, found.partial)

    return ctx.shared(f"history-before-{ctx.at.isoformat()}", load)
