"""``gacheck security-seeds``: Track E's issue seeds from a pip-audit JSON report.

Writes one Markdown issue body per vulnerability and an index that puts trivial bumps apart,
plus ``pip-audit.md`` beside the JSON report (the plan's link target). ``--format gh`` prints
the ``gh issue create`` lines instead of writing the seeds; it never runs them.
"""

from __future__ import annotations

import argparse
import glob
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from gacheck.core.errors import UsageError
from gacheck.core.exitcodes import ExitCode

if TYPE_CHECKING:
    from gacheck.security.seeds import Constraint

NAME = "security-seeds"
HELP = "turn a pip-audit JSON report into one issue seed per vulnerability (Track E)"

_REQUIREMENT_FILES = ("requirements*.txt", "constraints*.txt")
_MAX_REQUIREMENTS_BYTES = 1_000_000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--report", metavar="PATH",
                        help="pip-audit --format json report (default: the newest report the "
                        "config's pip_audit gate names)")
    parser.add_argument("--config", default="config/gates.toml", metavar="PATH",
                        help="config whose pip_audit gate names the report (default: "
                        "config/gates.toml)")
    parser.add_argument("--repo", default=".", metavar="PATH",
                        help="the repository the report belongs to (default: .)")
    parser.add_argument("--requirements", action="append", metavar="FILE",
                        help="requirement or constraint file whose pins a bump must keep "
                        "(repeatable; default: requirements*.txt and constraints*.txt in --repo)")
    parser.add_argument("--out", metavar="DIR",
                        help="where the seeds go (default: issue-seeds/ beside the report)")
    parser.add_argument("--format", choices=("markdown", "gh"), default="markdown",
                        help="markdown: write the seeds; gh: print gh issue create lines")
    parser.add_argument("--gh-repo", metavar="OWNER/NAME",
                        help="with --format gh: the repository the issues go to")


def _report_path(args: argparse.Namespace, repo: Path) -> Path:
    if args.report:
        return Path(args.report)
    from gacheck.run.config_binding import load_config

    config = load_config(args.config)
    patterns = [g.params.report for g in config.gates
                if g.kind == "pip_audit" and getattr(g.params, "report", None)]
    if not patterns:
        raise UsageError(f"{args.config}: no pip_audit gate with a report; give --report PATH")
    pattern = str(repo / patterns[0])
    matches = sorted(glob.glob(pattern)) if glob.has_magic(pattern) else [pattern]
    if not matches:
        raise UsageError(f"{patterns[0]}: no report matches under {repo}; give --report PATH")
    return Path(matches[-1])


def _constraints(args: argparse.Namespace, repo: Path) -> tuple[list[Constraint], list[str]]:
    from gacheck.security.seeds import read_constraints

    if args.requirements:
        files = [Path(name) for name in args.requirements]
    else:
        files = sorted({p for pattern in _REQUIREMENT_FILES for p in repo.glob(pattern)})
    from gacheck.core.safe_files import read_text_confined

    texts = []
    for path in files:
        try:  # a regular file of bounded size: a FIFO or device linked in never blocks
            texts.append((path.name, read_text_confined(path, path.resolve().parent,
                                                        _MAX_REQUIREMENTS_BYTES)))
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"{path}: cannot read: {exc}") from None
    return read_constraints(texts), [f.name for f in files]


def _link(path: Path, repo: Path) -> str:
    try:
        return str(path.resolve().relative_to(repo))
    except ValueError:
        return str(path)


def run(args: argparse.Namespace) -> int:
    from gacheck.collectors.pip_audit import read_report
    from gacheck.core.errors import CollectorError
    from gacheck.output.files import write_atomic
    from gacheck.security import render
    from gacheck.security.seeds import seeds

    repo = Path(args.repo).resolve()
    report_path = _report_path(args, repo)
    try:
        report = read_report(report_path, str(report_path))
    except CollectorError as exc:
        raise UsageError(str(exc)) from None
    constraints, requirement_files = _constraints(args, repo)
    found = seeds(report, constraints)
    report_md = report_path.with_suffix(".md")
    write_atomic(report_md, render.report_markdown(report))
    link = _link(report_md, repo)
    if args.format == "gh":
        sys.stdout.write(render.gh_commands(found, link, args.gh_repo))
        return ExitCode.OK
    out = Path(args.out) if args.out else report_path.parent / "issue-seeds"
    pins = ", ".join(requirement_files) or "requirements.txt"
    files = {seed.slug: f"{seed.slug}.md" for seed in found}
    for seed in found:
        write_atomic(out / files[seed.slug], render.seed_markdown(seed, link, pins))
    write_atomic(out / "index.md", render.index_markdown(found, link, files))
    trivial = sum(seed.trivial for seed in found)
    sys.stdout.write(f"{_count(len(found), 'issue seed')} in {out}: "
                     f"{_count(trivial, 'trivial bump')}, {len(found) - trivial} needing a "
                     f"mitigation plan; report {report_md}\n")
    return ExitCode.OK


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
