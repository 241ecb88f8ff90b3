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
    """The last full audit of ``day`` in the audit directory (partial runs are not the day's)."""
    from gacheck.errors import UsageError
    from gacheck.history import dated_pattern
    from gacheck.reports.files import PARTIAL_MARK

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
    return found[-1]


def _load(args: argparse.Namespace, which: str, text: str) -> dict[str, Any]:
    import json

    from gacheck.errors import UsageError

    path = Path(text)
    if _DATE.match(text) and not path.is_file():
        path = _find_by_date(args, text)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{which}: {text}: no such file (give an audit JSON or a date)") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise UsageError(f"{which}: {path}: not a readable audit: {exc}") from None
    if not isinstance(document, dict) or not isinstance(document.get("gates"), list):
        raise UsageError(f"{which}: {path}: not a gacheck audit (no list of gates)")
    return document


def run(args: argparse.Namespace) -> int:
    from gacheck.audit_diff import diff_audits
    from gacheck.exitcodes import ExitCode
    from gacheck.reports.diff_report import RENDERERS

    diff = diff_audits(_load(args, "OLD", args.old), _load(args, "NEW", args.new))
    sys.stdout.write(RENDERERS[args.format](diff))
    return ExitCode.NOT_READY if diff.worse else ExitCode.OK
