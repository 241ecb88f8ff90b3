"""``gacheck diff OLD NEW``: what changed between two audits; exit 1 when a gate got worse."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

from gacheck.commands.audits import add_audit_dir_options, audit_location

NAME = "diff"
HELP = "compare two audits (files or dates); exit 1 when a gate got worse"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("old", metavar="OLD", help="audit JSON file, or a date YYYY-MM-DD")
    parser.add_argument("new", metavar="NEW", help="audit JSON file, or a date YYYY-MM-DD")
    add_audit_dir_options(parser)
    parser.add_argument("--format", choices=("text", "json", "markdown"), default="text",
                        help="output format (default: text)")


def _find_by_date(args: argparse.Namespace, day: str) -> Path:
    """The last full, usable audit of ``day`` in the audit directory (partial runs are not the
    day's); unusable ones are named on stderr and passed over."""
    from gacheck.core.errors import UsageError
    from gacheck.core.models import SCHEMA_VERSION
    from gacheck.history.layout import PARTIAL_MARK
    from gacheck.history.store import (
        SKIPPED_NOTE,
        UnusableAudit,
        dated_pattern,
        read_past_audit,
    )

    directory, settings = audit_location(args)
    pattern = dated_pattern(settings.model_copy(
        update={"path_template": settings.path_template.replace("{date}", day)}
    ))
    named = Path(pattern)
    partial_pattern = str(named.with_name(f"{named.stem}{PARTIAL_MARK}{named.suffix}"))
    everything = sorted({*directory.glob(pattern), *directory.glob(partial_pattern)})
    found = [p for p in everything if not p.stem.endswith(PARTIAL_MARK)]
    if not found and everything:
        raise UsageError(f"only partial audits of {day} in {directory} (--only/--skip runs); "
                         f"give the file to compare one: {everything[-1]}")
    if not found:
        raise UsageError(f"no audit of {day} in {directory} (looked for {pattern})")
    for path in reversed(found):
        try:
            read_past_audit(path, range(1, SCHEMA_VERSION + 1))
            return path
        except UnusableAudit as exc:
            sys.stderr.write(f"gacheck: {SKIPPED_NOTE}{path}: {exc}\n")
    raise UsageError(f"no usable audit of {day} in {directory}")


def _load(args: argparse.Namespace, which: str, text: str) -> dict[str, Any]:
    from gacheck.core.errors import UsageError
    from gacheck.core.models import SCHEMA_VERSION
    from gacheck.history.store import UnusableAudit, read_past_audit

    path = Path(text)
    if _DATE.match(text) and not path.is_file():
        path = _find_by_date(args, text)
    if not path.exists():
        raise UsageError(f"{which}: {text}: no such file (give an audit JSON or a date)")
    try:
        past, left_out = read_past_audit(path, range(1, SCHEMA_VERSION + 1))
    except UnusableAudit as exc:
        raise UsageError(f"{which}: {path}: {exc}") from None
    if left_out:  # history passes over such entries; a diff of them would hide a change
        raise UsageError(f"{which}: {path}: {left_out.removesuffix('; left out')} (an entry "
                         "with no string id): not an audit to compare")
    return past.document


def run(args: argparse.Namespace) -> int:
    from gacheck.core.exitcodes import ExitCode
    from gacheck.history.diff import diff_audits
    from gacheck.reports.diff_report import RENDERERS

    diff = diff_audits(_load(args, "OLD", args.old), _load(args, "NEW", args.new))
    sys.stdout.write(RENDERERS[args.format](diff))
    return ExitCode.NOT_READY if diff.worse else ExitCode.OK
