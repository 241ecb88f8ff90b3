"""``pip_audit``: known vulnerabilities in the dependencies, from pip-audit's JSON report.

The value is the number of vulnerabilities counted: every one in the report, minus ids ignored
with a reason until an expiry date (an expired ignore counts again, and the notes say so), and
with ``only_fixable`` minus those without a fixed version. Dependencies pip-audit could not
audit are not "clean": by default they make the gate warn, and when none was audited at all the
gate is an ``error`` (pip-audit reports success when its service was unreachable).
"""

from __future__ import annotations

import glob
import re
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import Field, model_validator

from gacheck.config import Duration, GateSpec
from gacheck.context import Context
from gacheck.errors import CollectorError
from gacheck.gates.interface import Measurement, Params
from gacheck.models import CommandRecord, Evidence, Finding, Status
from gacheck.safe_files import root_for
from gacheck.units import Unit
from gacheck.verdict import worse

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
    max_age: Duration | None = Field(
        default=None, description="a report dated (in its path) longer ago than this warns"
    )

    @model_validator(mode="after")
    def _one_source(self) -> PipAuditParams:
        sources = [self.report is not None, bool(self.requirements), self.environment]
        if sum(sources) != 1:
            raise ValueError("give exactly one of report, requirements, or environment = true")
        return self


class PipAuditGate:
    params: ClassVar[type[Params]] = PipAuditParams
    unit: ClassVar[Unit | None] = Unit.COUNT
    default_threshold: ClassVar[dict[str, int]] = {"max": 0}

    def evaluate(self, gate: GateSpec, ctx: Context) -> Measurement:
        params: PipAuditParams = gate.params
        report, commands, source = _load(params, ctx, timeout=max(gate.timeout - 1.0, 1.0))
        counted, ignored, unfixable, notes = _classify(report, params, ctx.at.date())
        skipped = sorted(({"name": d.name, "reason": d.skip_reason} for d in report.skipped),
                         key=lambda d: d["name"])
        problem, floor = _judge_skips(params, len(report.audited), skipped, notes)
        if params.max_age is not None and params.report is not None:
            stale = _stale(source, ctx.at, params.max_age, notes)
            floor = worse(floor, stale) if floor and stale else floor or stale
        message = (f"{len(counted)} known vulnerabilities in {len(report.audited)} audited "
                   f"dependencies ({source})")
        left_out = [f"{n} {what}" for n, what in ((len(ignored), "ignored"),
                    (len(unfixable), "without a fix left out"), (len(skipped), "not audited"))
                    if n]
        if left_out:
            message += "; " + ", ".join(left_out)
        evidence = Evidence(
            commands=commands,
            findings=[_finding(e) for e in counted],
            notes=notes,
            details={"source": source, "audited": len(report.audited),
                     "vulnerabilities": counted, "ignored": ignored,
                     "not_fixable": unfixable, "skipped_dependencies": skipped},
        )
        if problem:  # an error that keeps its evidence (the command, the skipped list)
            return Measurement(value=None, message=problem, evidence=evidence,
                               status=Status.ERROR)
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


def _stale(source: str, at: datetime, max_age: float, notes: list[str]) -> Status | None:
    """WARN when the report's date (from its path, like Track E's ``20251014/``) is too old.

    The file's modification time is no evidence: a git checkout makes every file look new.
    """
    found = _PATH_DATE.findall(source)
    if not found:
        notes.append(f"{source}: no date in its path, so its age (max_age) cannot be checked")
        return Status.WARN
    try:
        dated = date(*(int(part) for part in found[-1]))
    except ValueError:
        notes.append(f"{source}: {''.join(found[-1])} in its path is not a date")
        return Status.WARN
    age_days = (at.date() - dated).days
    if age_days * 86400 > max_age:
        notes.append(f"report is {age_days} days old (dated {dated.isoformat()}), older than "
                     f"max_age {max_age / 86400:g} days: run pip-audit again")
        return Status.WARN
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


def _finding(entry: dict[str, Any]) -> Finding:
    fix = ", ".join(entry["fix_versions"]) or "no fix yet"
    aliases = f" ({', '.join(entry['aliases'])})" if entry["aliases"] else ""
    return Finding(message=f"{entry['package']} {entry['version']}: {entry['id']}{aliases}; "
                   f"fix: {fix}", code=entry["id"], severity="error")
