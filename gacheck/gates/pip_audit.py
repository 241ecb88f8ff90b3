"""``pip_audit``: known vulnerabilities in the dependencies, from pip-audit's JSON report.

The value is the number of vulnerabilities counted: every one in the report, minus ids ignored
with a reason until an expiry date (an expired ignore counts again, and the notes say so), and
with ``only_fixable`` minus those without a fixed version. Dependencies pip-audit could not
audit are not "clean": by default they make the gate warn, and when none was audited at all the
gate is an ``error`` (pip-audit reports success when its service was unreachable). A report
that lists no dependency at all audited nothing: ``no_data``. A report older than ``max_age``
(on by default) is no current evidence: ``no_data``, unless what it counted fails anyway.
"""

from __future__ import annotations

import glob
import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import Field, model_validator

from gacheck.config.model import Duration, GateSpec
from gacheck.context import Context
from gacheck.core.errors import CollectorError, NoDataError
from gacheck.core.models import CommandRecord, Evidence, Finding, Status
from gacheck.core.safe_files import root_for
from gacheck.core.units import Unit
from gacheck.core.verdict import judge
from gacheck.gates.interface import GateKind, Measurement, Params

if TYPE_CHECKING:  # the collector is imported when the gate runs, not when the config is read
    from gacheck.collectors.pip_audit import AuditReport


class IgnoredVulnerability(Params):
    id: str = Field(min_length=1, description="the vulnerability id or one of its aliases")
    reason: str = Field(min_length=1)
    expires: date = Field(description="last day (UTC) the ignore applies")


class PipAuditParams(Params):
    report: str | None = Field(default=None, description="report path or glob (newest name wins)")
    requirements: list[str] = Field(default_factory=list, description="run pip-audit on these")
    environment: bool = Field(default=False, description="run pip-audit on this environment")
    only_fixable: bool = False
    ignore: list[IgnoredVulnerability] = Field(default_factory=list)
    skipped: Literal["note", "warn", "error"] = "warn"
    service: Literal["pypi", "osv"] | None = None
    executable: str | None = None
    pins: list[str] | None = Field(
        default=None, description="requirements files where the dependencies are pinned: each "
        "finding points at its pin's line (default: requirements)")
    max_age: Duration = Field(
        default=14 * 86400.0,
        description="a report older than this (dated by its path, else its file time) cannot "
        "pass",
    )

    @model_validator(mode="after")
    def _one_source(self) -> PipAuditParams:
        sources = [self.report is not None, bool(self.requirements), self.environment]
        if sum(sources) != 1:
            raise ValueError("give exactly one of report, requirements, or environment = true")
        return self


class PipAuditGate(GateKind):
    params: ClassVar[type[Params]] = PipAuditParams
    unit: ClassVar[Unit | None] = Unit.COUNT
    default_threshold: ClassVar[dict[str, int]] = {"max": 0}
    reads_repository: ClassVar[bool] = True

    def evaluate(self, gate: GateSpec, ctx: Context) -> Measurement:
        params: PipAuditParams = gate.params
        report, commands, source = _load(params, ctx, timeout=max(gate.timeout - 1.0, 1.0))
        counted, ignored, unfixable, notes = _classify(report, params, ctx.at.date())
        pins = _pins(params, ctx) if counted else {}
        skipped = sorted(({"name": d.name, "reason": d.skip_reason} for d in report.skipped),
                         key=lambda d: d["name"])
        problem, floor = _judge_skips(params, len(report.audited), skipped, notes)
        stale = None
        if params.report is not None:
            stale = _stale(source, ctx.resolve(source), ctx.at, params.max_age, notes)
        message = (f"{len(counted)} known vulnerabilities in {len(report.audited)} audited "
                   f"dependencies ({source})")
        left_out = [f"{n} {what}" for n, what in ((len(ignored), "ignored"),
                    (len(unfixable), "without a fix left out"), (len(skipped), "not audited"))
                    if n]
        if left_out:
            message += "; " + ", ".join(left_out)
        evidence = Evidence(
            commands=commands,
            findings=[_finding(e, pins) for e in counted],
            notes=notes,
            details={"source": source, "audited": len(report.audited),
                     "vulnerabilities": counted, "ignored": ignored,
                     "not_fixable": unfixable, "skipped_dependencies": skipped},
        )
        if problem:  # an error that keeps its evidence (the command, the skipped list)
            return Measurement(value=None, message=problem, evidence=evidence,
                               status=Status.ERROR)
        if not report.dependencies:
            raise NoDataError(f"{source}: the report lists no dependency: pip-audit audited "
                              "nothing, so it says nothing about vulnerabilities",
                              evidence=evidence)
        if stale and judge(float(len(counted)), gate.threshold)[0] is not Status.FAIL:
            # an old clean report is no evidence of a clean release; an old failing one still
            # fails (a fail stays a fail)
            raise NoDataError(f"{stale}; {message}", evidence=evidence)
        return Measurement(value=float(len(counted)), message=message, status=floor,
                           evidence=evidence)


def _classify(report: AuditReport, params: PipAuditParams, today: date,
              ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]],
                         list[str]]:
    """Vulnerabilities split into counted, ignored and not fixable; notes on expired ignores."""
    active = {i.id.lower(): i for i in params.ignore if i.expires >= today}
    notes = [f"ignore of {i.id} expired on {i.expires.isoformat()}; it counts again"
             for i in params.ignore if i.expires < today]
    counted: list[dict[str, Any]] = []
    ignored: list[dict[str, Any]] = []
    unfixable: list[dict[str, Any]] = []
    for dep in sorted(report.audited, key=lambda d: d.name):
        for vuln in sorted(dep.vulns, key=lambda v: v.id):
            entry = {"package": dep.name, "version": dep.version, "id": vuln.id,
                     "aliases": sorted(vuln.aliases), "fix_versions": vuln.fix_versions,
                     "description": (vuln.description or "")[:500]}
            rule = next((active[n.lower()] for n in (vuln.id, *vuln.aliases)
                         if n.lower() in active), None)
            if rule is not None:
                ignored.append(entry | {"reason": rule.reason,
                                        "expires": rule.expires.isoformat()})
            elif params.only_fixable and not vuln.fix_versions:
                unfixable.append(entry)
            else:
                counted.append(entry)
    return counted, ignored, unfixable, notes


def _load(params: PipAuditParams, ctx: Context, timeout: float,
          ) -> tuple[AuditReport, list[CommandRecord], str]:
    from gacheck.collectors import pip_audit

    if params.report is not None:
        pattern = str(ctx.resolve(params.report))
        matches = sorted(glob.glob(pattern)) if glob.has_magic(pattern) else [pattern]
        if not matches:
            raise CollectorError(f"{params.report}: no report matches")
        path = matches[-1]
        shown = _shown(path, ctx)
        full = ctx.resolve(path)
        return pip_audit.read_report(full, shown, root_for(full, ctx.repo)), [], shown
    if not ctx.repo.is_dir():
        raise CollectorError(f"repository root {ctx.repo} does not exist")
    report, record = pip_audit.run_pip_audit(
        ctx.repo, params.requirements, service=params.service,
        executable=params.executable, timeout=timeout,
    )
    source = "pip-audit on " + (", ".join(params.requirements) or "the current environment")
    return report, [record], source


_PATH_DATE = re.compile(r"(?<!\d)(\d{4})-?(\d{2})-?(\d{2})(?!\d)")


def _stale(source: str, path: Path, at: datetime, max_age: float, notes: list[str]
           ) -> str | None:
    """Why the report is too old for ``max_age``, or ``None`` when it is recent enough.

    Its date is the one in its path (Track E's ``20251014/``, or ``2025-10-14``): a git checkout
    gives every file a new modification time, so that time is used only for a path without a
    date (a report written by the same CI job), and the notes say so.
    """
    found = _PATH_DATE.findall(source)
    dated: datetime | None = None
    if found:
        try:
            year, month, day = (int(part) for part in found[-1])
            dated = datetime(year, month, day, tzinfo=UTC)
        except ValueError:
            notes.append(f"{source}: {''.join(found[-1])} in its path is not a date")
    if dated is None:
        try:
            dated = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
        except OSError as exc:
            return f"the report's age cannot be told ({exc.strerror or exc})"
        notes.append(f"{source}: no date in its path; dated by its file time "
                     f"{dated.strftime('%Y-%m-%dT%H:%M:%SZ')} (a checkout resets it)")
        age_s = (at - dated).total_seconds()
        shown = dated.strftime("%Y-%m-%d %H:%M UTC")
    else:
        age_s = (at.date() - dated.date()).days * 86400.0
        shown = dated.date().isoformat()
    if age_s > max_age:
        why = (f"the report is {age_s / 86400:.0f} days old (dated {shown}), older than "
               f"max_age {max_age / 86400:g} days: run pip-audit again")
        notes.append(why)
        return why
    return None


def _shown(path: str, ctx: Context) -> str:
    try:
        return str(ctx.resolve(path).relative_to(ctx.repo))
    except ValueError:
        return path


def _judge_skips(params: PipAuditParams, audited: int, skipped: list[dict[str, Any]],
                 notes: list[str]) -> tuple[str | None, Status | None]:
    """(an error message, or the status floor) that unaudited dependencies call for."""
    if not skipped:
        return None, None
    if audited == 0:
        first = skipped[0]
        return (f"pip-audit could not audit any of {len(skipped)} dependencies "
                f"(first: {first['name']}: {first['reason']}); is its vulnerability service "
                f"reachable?"), None
    names = ", ".join(d["name"] for d in skipped[:10]) + (" ..." if len(skipped) > 10 else "")
    notes.append(f"not audited by pip-audit ({len(skipped)}): {names}")
    if params.skipped == "error":
        return f"not audited by pip-audit ({len(skipped)}): {names}", None
    return None, Status.WARN if params.skipped == "warn" else None


def _pins(params: PipAuditParams, ctx: Context) -> dict[str, tuple[str, int]]:
    from gacheck.collectors.requirement_pins import pin_lines

    files = params.pins if params.pins is not None else params.requirements
    return pin_lines(ctx.repo, files) if files else {}


def _finding(entry: dict[str, Any], pins: dict[str, tuple[str, int]]) -> Finding:
    from packaging.utils import canonicalize_name

    fix = ", ".join(entry["fix_versions"]) or "no fix yet"
    aliases = f" ({', '.join(entry['aliases'])})" if entry["aliases"] else ""
    file, line = pins.get(canonicalize_name(entry["package"]), (None, None))
    return Finding(message=f"{entry['package']} {entry['version']}: {entry['id']}{aliases}; "
                   f"fix: {fix}", code=entry["id"], severity="error", file=file, line=line)
