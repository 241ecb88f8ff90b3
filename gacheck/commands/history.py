"""``gacheck history``: the audits written so far, one row per day and gate, with trends."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from gacheck.commands.audits import add_audit_dir_options, audit_location

if TYPE_CHECKING:
    from datetime import date

NAME = "history"
HELP = "show earlier audits: status and value per day and gate, trends, passing streak"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_audit_dir_options(parser)
    parser.add_argument("--since", metavar="DATE", help="first day shown, YYYY-MM-DD (UTC)")
    parser.add_argument("--gate", metavar="ID", help="only this gate")
    parser.add_argument(
        "--format", choices=("text", "json", "csv", "markdown"), default="text",
        help="output format (default: text); csv holds the day-and-gate rows only",
    )


def _since(text: str | None) -> date | None:
    from datetime import date

    from gacheck.core.errors import UsageError

    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--since: expected a date like 2026-11-25, got {text!r}") from None


def run(args: argparse.Namespace) -> int:
    from gacheck.core.errors import UsageError
    from gacheck.core.models import SCHEMA_VERSION
    from gacheck.history.store import load_history
    from gacheck.history.table import build_report
    from gacheck.reports.history_report import RENDERERS

    since = _since(args.since)
    directory, settings = audit_location(args)
    # Every schema version up to ours is read: the fields used here have not changed meaning.
    history = load_history(directory, settings, accepted_versions=range(1, SCHEMA_VERSION + 1))
    report = build_report(history, since=since, gate=args.gate)
    if args.gate and not report.rows and report.days:
        raise UsageError(f"--gate: no audit since {report.days[0]} has a gate {args.gate!r}")
    for note in report.skipped:
        sys.stderr.write(f"gacheck: skipped {note}\n")
    if history.partial:
        sys.stderr.write(f"gacheck: left out {len(history.partial)} partial audit(s) "
                         "(--only/--skip runs): they are not a day's audit\n")
    sys.stdout.write(RENDERERS[args.format](report))
    return 0
