"""Track E: one issue seed per vulnerability of a pip-audit report, trivial bumps told apart.

A bump is *trivial* when a fixed release exists in the same major version as the installed one
and that release satisfies every other constraint the project's requirement and constraint
files put on the package (the ``==`` pin on the installed version is the line to bump, not a
constraint). Anything else (no fixed release, a new major, a ``<`` cap that excludes the fix, a
version that does not parse) is not trivial, and the seed says why.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from gacheck.collectors.pip_audit import AuditReport


@dataclass(frozen=True)
class Constraint:
    """One requirement line that names a package, and where it stands."""

    requirement: Requirement
    source: str
    """``requirements.txt:12``: file and line, for the seed's text."""

    @property
    def text(self) -> str:
        return f"{self.requirement} ({self.source})"


@dataclass(frozen=True)
class Seed:
    """What one issue about one vulnerability says."""

    package: str
    current: str
    fixed: str | None
    """The lowest fixed release above ``current``, or ``None`` when there is none."""
    vuln_id: str
    aliases: tuple[str, ...]
    severity: str | None
    description: str
    trivial: bool
    why: str
    """Why the bump is or is not trivial, in words."""

    @property
    def headline_id(self) -> str:
        """The CVE when the advisory has one (issue titles say "CVE-…"), else its own id."""
        cves = [a for a in (self.vuln_id, *self.aliases) if a.upper().startswith("CVE-")]
        return cves[0] if cves else self.vuln_id

    @property
    def title(self) -> str:
        return f"security: {self.headline_id} in {self.package}"

    @property
    def slug(self) -> str:
        safe = "".join(c if c.isalnum() or c in "-_." else "-" for c in self.vuln_id)
        return f"{canonicalize_name(self.package)}-{safe}"


def read_constraints(lines_by_source: Iterable[tuple[str, str]]) -> list[Constraint]:
    """Requirement lines from (file name, text) pairs; options, URLs and comments are skipped."""
    found = []
    for name, text in lines_by_source:
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.split(" #", 1)[0].strip()
            if not line or line.startswith(("#", "-")):
                continue  # comments and pip options (-r, -c, --hash) constrain no version here
            try:
                found.append(Constraint(Requirement(line), f"{name}:{number}"))
            except InvalidRequirement:
                continue
    return found


def _version(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


def lowest_fix(current: str, fix_versions: Sequence[str]) -> str | None:
    """The lowest fixed version above ``current``; unparsable ones only if nothing else is."""
    now = _version(current)
    parsed = [(v, text) for text in fix_versions if (v := _version(text)) is not None]
    above = sorted((v, t) for v, t in parsed if now is None or v > now)
    if above:
        return above[0][1]
    return fix_versions[0] if fix_versions and not parsed else None


def judge_bump(package: str, current: str, fixed: str | None,
               constraints: Sequence[Constraint]) -> tuple[bool, str]:
    """(trivial?, why) for moving ``package`` from ``current`` to ``fixed``."""
    if fixed is None:
        return False, "no fixed release is known: needs a mitigation, not a bump"
    now, target = _version(current), _version(fixed)
    if now is None or target is None:
        return False, f"cannot compare versions {current!r} and {fixed!r}"
    if target.major != now.major:
        return False, f"the fix crosses a major version ({now.major} → {target.major})"
    name = canonicalize_name(package)
    broken = []
    for constraint in constraints:
        if canonicalize_name(constraint.requirement.name) != name:
            continue
        others = [s for s in constraint.requirement.specifier
                  if not (s.operator in ("==", "===") and s.version == current)]
        if any(not spec.contains(target, prereleases=True) for spec in others):
            broken.append(constraint.text)
    if broken:
        return False, f"{fixed} breaks a pinned constraint: " + "; ".join(broken)
    read = "no requirement or constraint read excludes it" if constraints else (
        "no requirement or constraint file was read")
    return True, f"{fixed} is in the same major version ({now.major}.x); {read}"


def seeds(report: AuditReport, constraints: Sequence[Constraint] = ()) -> list[Seed]:
    """One seed per vulnerability of every audited dependency, by package then id."""
    found = []
    for dependency in report.audited:
        for vuln in dependency.vulns:
            fixed = lowest_fix(dependency.version, vuln.fix_versions)
            trivial, why = judge_bump(dependency.name, dependency.version, fixed, constraints)
            severity = getattr(vuln, "severity", None)  # pip-audit's JSON has none; OSV may
            found.append(Seed(
                package=dependency.name, current=dependency.version, fixed=fixed,
                vuln_id=vuln.id, aliases=tuple(vuln.aliases),
                severity=str(severity) if isinstance(severity, str | int | float) else None,
                description=" ".join((vuln.description or "").split()),
                trivial=trivial, why=why,
            ))
    return sorted(found, key=lambda s: (canonicalize_name(s.package), s.vuln_id))
