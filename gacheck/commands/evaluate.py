"""``gacheck evaluate``: run the gates, write the dated audits, exit with the verdict."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from gacheck.commands.common import add_config_options, build_context, id_list
from gacheck.exitcodes import ExitCode

NAME = "evaluate"
HELP = "evaluate every gate and write the dated audit"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_config_options(parser)
    parser.add_argument(
        "--at", metavar="TIME",
        help="evaluation instant, RFC 3339 or Unix seconds; every window ends here (default: now)",
    )
    parser.add_argument("--only", type=id_list, default=(), metavar="ID,...",
                        help="evaluate only these gates; the others are reported as skipped")
    parser.add_argument("--skip", type=id_list, default=(), metavar="ID,...",
                        help="do not evaluate these gates")
    out = parser.add_mutually_exclusive_group()
    out.add_argument("--output-dir", metavar="DIR",
                     help="where audits go (default: settings.output_dir under the repo)")
    out.add_argument("--no-write", action="store_true", help="write no audit files")
    parser.add_argument("--format", choices=("text", "json", "markdown"), default="text",
                        help="what to print on stdout (default: text)")
    parser.add_argument("--strict", action="store_true", help="a warn verdict exits 1")
    parser.add_argument("--quiet", action="store_true", help="print only the verdict line")


def exit_code_for(verdict: str, strict: bool) -> ExitCode:
    return {
        "pass": ExitCode.OK,
        "warn": ExitCode.NOT_READY if strict else ExitCode.OK,
        "fail": ExitCode.NOT_READY,
        "incomplete": ExitCode.INCOMPLETE,
    }[verdict]


def run(args: argparse.Namespace) -> int:
    from gacheck.evaluation import Selection, evaluate
    from gacheck.reports.files import audit_paths, write_atomic
    from gacheck.reports.json_report import render_json
    from gacheck.reports.markdown import render_markdown
    from gacheck.reports.text import render_text, use_colour
    from gacheck.timeparse import now, parse_instant

    at = parse_instant(args.at) if args.at else now()
    output_dir = Path(args.output_dir).resolve() if args.output_dir else None
    ctx = build_context(args, at, output_dir)
    audit = evaluate(ctx, Selection(args.only, args.skip), command=["gacheck", *args.argv])

    json_text = render_json(audit)
    markdown_text = render_markdown(audit)
    written: list[Path] = []
    if not args.no_write:
        paths = audit_paths(ctx.config.settings, ctx.audit_dir, at)
        for path, text in (
            (paths.json, json_text),
            (paths.markdown, markdown_text),
            (paths.latest_json, json_text),
            (paths.latest_markdown, markdown_text),
        ):
            if path is not None:
                write_atomic(path, text)
                written.append(path)

    if args.format == "json":
        sys.stdout.write(json_text)
    elif args.format == "markdown":
        sys.stdout.write(markdown_text)
    elif args.quiet:
        sys.stdout.write(f"verdict: {audit.verdict.value}  score {audit.score:g}/100\n")
    else:
        sys.stdout.write(render_text(audit, colour=use_colour(sys.stdout)))
    if written and not args.quiet:
        where = sys.stdout if args.format == "text" else sys.stderr
        where.write("audit written: " + ", ".join(str(p) for p in written[:2]) + "\n")
    return exit_code_for(audit.verdict.value, args.strict)
