"""``gacheck evaluate``: run the gates, write the dated audits, exit with the verdict.

Modes for pipelines: ``--report-only`` (exit 0 whatever the verdict), ``--wait-until`` (evaluate
again until ready), ``--commit`` (commit the audit files), ``--junit`` and ``--format github``.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from pathlib import Path
from typing import Any

from gacheck.commands.common import (
    add_cache_options,
    add_config_options,
    build_context,
    id_list,
)
from gacheck.core.errors import UsageError
from gacheck.core.exitcodes import ExitCode

NAME = "evaluate"
HELP = "evaluate every gate and write the dated audit"
DEFAULT_INTERVAL_S = 300.0
# Options that change what is printed or where files go, not what is evaluated: the audit's
# ``command`` leaves them out, so a rerun that only adds --quiet writes the same audit.
PRESENTATION_FLAGS = frozenset({"--quiet", "--no-charts", "--no-write", "--strict", "--commit",
                                "--debug"})
PRESENTATION_OPTIONS = frozenset({"--format", "--junit", "--sarif", "--output-dir",
                                  "--metrics-file", "--pushgateway"})


def evaluation_argv(argv: list[str]) -> list[str]:
    """``argv`` without the presentation options (and their values)."""
    kept: list[str] = []
    skip_value = False
    for arg in argv:
        if skip_value:
            skip_value = False
            continue
        name = arg.split("=", 1)[0]
        if arg in PRESENTATION_FLAGS or name in PRESENTATION_OPTIONS:
            skip_value = name in PRESENTATION_OPTIONS and "=" not in arg
            continue
        kept.append(arg)
    return kept


def duration(text: str) -> float:
    """argparse type: ``"30s"``, ``"5m"``, ``"2h"``."""
    from gacheck.core.units import parse_duration

    try:
        return parse_duration(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_config_options(parser)
    add_cache_options(parser)
    parser.add_argument(
        "--at", metavar="TIME",
        help="evaluation instant, RFC 3339 or Unix seconds; every window ends here (default: now)",
    )
    parser.add_argument("--only", type=id_list, default=(), metavar="ID,...",
                        help="evaluate only these gates; the others are reported as skipped")
    parser.add_argument("--skip", type=id_list, default=(), metavar="ID,...",
                        help="do not evaluate these gates")
    parser.add_argument(
        "--partial", action="store_true",
        help="with --only/--skip: judge the selected gates only (without it, blocking gates "
        "left out make the verdict incomplete); the audit is marked partial and written as "
        "<name>.partial.{json,md}, never over the day's full audit or latest.*",
    )
    out = parser.add_mutually_exclusive_group()
    out.add_argument("--output-dir", metavar="DIR",
                     help="where audits go (default: settings.output_dir under the repo)")
    out.add_argument("--no-write", action="store_true", help="write no audit files")
    parser.add_argument(
        "--format", choices=("text", "json", "markdown", "github"), default=None,
        help="what to print on stdout; github adds workflow-command annotations and appends the "
        "report to $GITHUB_STEP_SUMMARY (default: github when GITHUB_ACTIONS=true, else text)",
    )
    parser.add_argument("--junit", metavar="PATH",
                        help="also write JUnit XML, one test case per gate, to PATH")
    parser.add_argument("--sarif", metavar="PATH",
                        help="also write SARIF 2.1.0 for code scanning to PATH: one result per "
                        "finding with a file location, the gate's kind as rule")
    parser.add_argument("--strict", action="store_true", help="a warn verdict exits 1")
    parser.add_argument("--quiet", action="store_true", help="print only the verdict line")
    parser.add_argument(
        "--report-only", action="store_true",
        help="evaluate and write everything, print the real verdict, but exit 0 whatever it is",
    )
    parser.add_argument(
        "--wait-until", type=duration, metavar="DURATION",
        help="re-evaluate until the verdict is pass (or warn without --strict), for at most "
        "DURATION (e.g. 6h); the audit lists every attempt and the exit code is the last one's",
    )
    parser.add_argument("--interval", type=duration, metavar="DURATION",
                        help="time between the starts of two attempts (default: 5m)")
    parser.add_argument(
        "--commit", action="store_true",
        help="commit the audit files just written (refuses if other changes are staged)",
    )
    parser.add_argument("--no-charts", action="store_true",
                        help="write no PNG trend charts even when matplotlib is installed")
    parser.add_argument("--metrics-file", metavar="PATH",
                        help="also write the verdict as Prometheus metrics to PATH (*.prom) for "
                        "node_exporter's textfile collector")
    parser.add_argument("--pushgateway", metavar="URL",
                        help="also push the verdict metrics to this Prometheus Pushgateway")


def exit_code_for(verdict: str, strict: bool) -> ExitCode:
    return {
        "pass": ExitCode.OK,
        "warn": ExitCode.NOT_READY if strict else ExitCode.OK,
        "fail": ExitCode.NOT_READY,
        "incomplete": ExitCode.INCOMPLETE,
    }[verdict]


def _check_combinations(args: argparse.Namespace) -> None:
    if args.interval is not None and args.wait_until is None:
        raise UsageError("--interval needs --wait-until")
    if args.wait_until is not None and args.at:
        raise UsageError("--wait-until evaluates at the current time again and again; drop --at")
    if args.interval is not None and args.interval <= 0:
        raise UsageError("--interval must be longer than 0s")
    if args.commit and args.no_write:
        raise UsageError("--commit commits the audit files, so it cannot go with --no-write")


def _check_selection(args: argparse.Namespace, ctx: Any) -> None:
    """Waiting cannot bring back gates the selection left out: say so instead of waiting."""
    if args.wait_until is None or args.partial:
        return
    from gacheck.run.evaluation import Selection

    chosen = Selection(args.only, args.skip).choose([g.id for g in ctx.config.gates])
    left_out = [g.id for g in ctx.config.gates if g.blocking and g.id not in chosen]
    if left_out:
        raise UsageError(
            f"--wait-until would wait in vain: --only/--skip leave blocking gates out "
            f"({', '.join(left_out)}), so the verdict stays incomplete; add --partial"
        )


def _evaluate(args: argparse.Namespace, ctx: Any) -> tuple[Any, Any]:
    """The audit (after waiting, if asked) and the context of its instant."""
    from gacheck.run.evaluation import Selection, evaluate

    selection = Selection(args.only, args.skip, partial=args.partial)
    command = ["gacheck", *evaluation_argv(args.argv)]

    def run_once(attempt_ctx: Any) -> Any:
        return evaluate(attempt_ctx, selection, command=command, report_only=args.report_only)

    if args.wait_until is None:
        return run_once(ctx), ctx
    from gacheck.core.timeparse import now
    from gacheck.run.waiting import wait_for_ready

    outcome = wait_for_ready(
        ctx,
        run_once,
        accepted=lambda audit: exit_code_for(audit.verdict.value, args.strict) == ExitCode.OK,
        wait_s=args.wait_until,
        interval_s=args.interval or DEFAULT_INTERVAL_S,
        clock=now,
    )
    if outcome.audit is None:
        raise KeyboardInterrupt  # nothing complete to write: the CLI reports the interruption
    if outcome.interrupted:
        sys.stderr.write("gacheck: wait interrupted; keeping the last complete evaluation\n")
    return outcome.audit, dataclasses.replace(ctx, at=outcome.audit.evaluated_at)


def _publish_metrics(args: argparse.Namespace, audit: Any) -> None:
    """After the verdict is printed: a Pushgateway that is down must not hide it."""
    if not (args.metrics_file or args.pushgateway):
        return
    from gacheck.metrics import config_name, push, write_textfile

    name = config_name(audit.config_path)
    if args.metrics_file:
        write_textfile(audit, Path(args.metrics_file), name)
    if args.pushgateway:
        push(audit, args.pushgateway, name)


def _write_sarif(path: Path, audit: Any, ctx: Any, audit_json: Path | None) -> None:
    """The SARIF log, linking the JSON audit by its path relative to the repository."""
    from gacheck.output.files import write_atomic
    from gacheck.reports.sarif import render_sarif

    link = None
    if audit_json is not None:
        link = Path(os.path.relpath(audit_json, ctx.repo)).as_posix()
    write_atomic(path, render_sarif(audit, link, str(ctx.repo.resolve())))


def _write_and_commit(args: argparse.Namespace, audit: Any, ctx: Any,
                      root: Path) -> tuple[Any, Any, Exception | None]:
    """``--commit``: the audit written and committed as one step under the repository's audit
    lock (runs take turns); a refused commit is returned, raised after the verdict is printed:
    the user needs both."""
    from gacheck.core.errors import OutputError
    from gacheck.output.git_commit import audit_lock, commit_files, commit_message
    from gacheck.output.writer import write_audit

    with audit_lock(root):
        written = write_audit(audit, ctx, charts=not args.no_charts)
        message = commit_message(ctx.at.strftime("%Y-%m-%d"), audit.verdict.value, audit.score,
                                 partial=audit.partial)
        try:
            return written, commit_files(root, written.files, message), None
        except OutputError as exc:
            return written, None, exc


def run(args: argparse.Namespace) -> int:
    from gacheck.core.timeparse import now, parse_instant, refuse_future

    _check_combinations(args)
    fmt = args.format or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text")
    at = refuse_future(parse_instant(args.at)) if args.at else now()
    output_dir = Path(args.output_dir).resolve() if args.output_dir else None
    ctx = build_context(args, at, output_dir)
    _check_selection(args, ctx)
    root = None
    if args.commit:  # before evaluating: a long wait must not end in "not a git repository"
        from gacheck.output.git_commit import repository_root

        root = repository_root(ctx.audit_dir)
    audit, ctx = _evaluate(args, ctx)
    from gacheck.output.notify import send_notifications

    audit = send_notifications(audit, ctx)  # bounded; recorded in the audit, never the verdict
    # Imported once the gates ran: the report modules are not needed before the first gate.
    from gacheck.history.store import SKIPPED_NOTE
    from gacheck.output.console import print_outcome
    from gacheck.output.writer import Written, write_audit

    for note in audit.notes:  # each unusable earlier audit, once
        if note.startswith(SKIPPED_NOTE):
            sys.stderr.write(f"gacheck: {note}\n")

    written, outcome, refused = Written(), None, None
    if root is not None:
        written, outcome, refused = _write_and_commit(args, audit, ctx, root)
    elif not args.no_write:
        written = write_audit(audit, ctx, charts=not args.no_charts)
    if args.junit:
        from gacheck.output.files import write_atomic
        from gacheck.reports.junit import render_junit

        write_atomic(Path(args.junit), render_junit(audit))
    if args.sarif:
        _write_sarif(Path(args.sarif), audit, ctx, written.json)

    print_outcome(fmt, audit, ctx, written, quiet=args.quiet)
    _publish_metrics(args, audit)
    if refused is not None:
        raise refused
    if outcome is not None:
        done = f"committed {outcome.sha}: " if outcome.committed else ""
        sys.stderr.write(f"gacheck: {done}{outcome.message}\n")
    if args.report_only:
        return ExitCode.OK
    return exit_code_for(audit.verdict.value, args.strict)
