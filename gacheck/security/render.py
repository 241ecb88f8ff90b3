"""Issue seeds as Markdown, as ``gh issue create`` lines, and pip-audit's report as Markdown.

Advisory text comes from outside (the vulnerability database, through the report): it is
escaped for Markdown, and every shell word is quoted whole, so no description can end a
heredoc or run a command when a person pastes the printed lines.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence

from gacheck.collectors.pip_audit import AuditReport
from gacheck.reports.markdown import code, md
from gacheck.security.seeds import Seed

LABEL = "security"


def _checklist(seed: Seed, requirements: str) -> list[str]:
    if seed.fixed is None:
        return [
            "Check whether the vulnerable code path is reachable from the service",
            "Find a mitigation (configuration, input validation, a replacement package)",
            "Add an ignore with a reason and an expiry to the pip_audit gate while mitigated",
            "Watch the advisory for a fixed release",
        ]
    return [
        f"Test {seed.package} {seed.fixed} in the dev environment",
        "Check the changelog for breaking changes"
        + ("" if seed.trivial else " (this is not a trivial bump: " + seed.why + ")"),
        f"Update {requirements}",
        "Run the full test suite",
        "Deploy to the RC for validation",
    ]


def seed_markdown(seed: Seed, report_link: str, requirements: str = "requirements.txt") -> str:
    """The body of one issue, in the sections of the plan's Track E template."""
    ids = ", ".join(code(i) for i in (seed.vuln_id, *seed.aliases))
    lines = [
        f"# {md(seed.title)}",
        "",
        "## Vulnerability Details",
        "",
        f"- **Package**: {code(seed.package)}",
        f"- **Current Version**: {code(seed.current)}",
        f"- **Fixed Version**: {code(seed.fixed) if seed.fixed else 'none known'}",
        f"- **Advisory**: {ids}",
        f"- **Severity**: {md(seed.severity) if seed.severity else 'not in the report'}",
        f"- **Bump**: {'trivial' if seed.trivial else 'not trivial'}: {md(seed.why)}",
        "",
    ]
    if seed.description:
        lines += [f"> {md(seed.description)}", ""]
    lines += ["## Mitigation Plan", ""]
    lines += [f"- [ ] {md(item)}" for item in _checklist(seed, requirements)]
    lines += ["", "## References", "", f"- pip-audit report: {code(report_link)}", ""]
    return "\n".join(lines)


def index_markdown(seeds: Sequence[Seed], report_link: str, files: dict[str, str]) -> str:
    """One page over all seeds: trivial bumps first (a PR each), then the rest."""
    trivial = [s for s in seeds if s.trivial]
    rest = [s for s in seeds if not s.trivial]
    lines = [f"# Security issue seeds from {code(report_link)}", "",
             f"{len(seeds)} vulnerabilit{'y' if len(seeds) == 1 else 'ies'}: "
             f"{len(trivial)} trivial bump{'' if len(trivial) == 1 else 's'}, "
             f"{len(rest)} needing a mitigation plan.", ""]
    for heading, group in (("Trivial bumps", trivial), ("Not trivial", rest)):
        lines += [f"## {heading}", ""]
        if not group:
            lines += ["None.", ""]
            continue
        lines += ["| Seed | Package | Current | Fixed | Why |", "|---|---|---|---|---|"]
        for seed in group:
            lines.append(f"| [{md(seed.title)}]({files[seed.slug]}) | {md(seed.package)} | "
                         f"{md(seed.current)} | {md(seed.fixed or 'none')} | {md(seed.why)} |")
        lines.append("")
    return "\n".join(lines)


def gh_commands(seeds: Sequence[Seed], report_link: str, repo: str | None = None) -> str:
    """``gh issue create`` lines, one per seed, each word quoted; nothing is run."""
    lines = []
    for seed in seeds:
        argv = ["gh", "issue", "create", "--title", seed.title, "--label", LABEL]
        if repo:
            argv += ["--repo", repo]
        argv += ["--body", seed_markdown(seed, report_link)]
        lines.append(shlex.join(argv))
    return "\n".join(lines) + ("\n" if lines else "")


def report_markdown(report: AuditReport) -> str:
    """pip-audit's findings as a Markdown table (as ``pip-audit --format markdown`` lists
    them), plus the dependencies it could not audit, which its own format leaves out."""
    lines = ["Name | Version | ID | Fix Versions", "--- | --- | --- | ---"]
    for dependency in sorted(report.audited, key=lambda d: d.name.lower()):
        for vuln in dependency.vulns:
            lines.append(f"{md(dependency.name)} | {md(dependency.version)} | {md(vuln.id)} | "
                         f"{md(','.join(vuln.fix_versions))}")
    if len(lines) == 2:
        lines = ["No known vulnerabilities found."]
    skipped = sorted(report.skipped, key=lambda d: d.name.lower())
    if skipped:
        lines += ["", "Name | Skip Reason", "--- | ---"]
        lines += [f"{md(d.name)} | {md(d.skip_reason)}" for d in skipped]
    return "\n".join(lines) + "\n"
