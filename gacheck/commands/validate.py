"""``gacheck validate``: check the config and list the gates it would run."""

from __future__ import annotations

import argparse
import sys

from gacheck.commands.common import add_config_options
from gacheck.core.exitcodes import ExitCode

NAME = "validate"
HELP = "check the configuration and list its gates"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_config_options(parser)
    parser.add_argument(
        "--check-queries", action="store_true",
        help="evaluate each Prometheus gate's query once and report those that fail or are empty",
    )
    parser.add_argument("--at", metavar="TIME",
                        help="instant for --check-queries, RFC 3339 or Unix seconds (default: now)")


def run(args: argparse.Namespace) -> int:
    from gacheck.core.units import plural
    from gacheck.run.config_binding import load_config

    config = load_config(args.config)
    width = max(len(g.id) for g in config.gates)
    kind_width = max(len(g.kind) for g in config.gates)
    out = sys.stdout
    out.write(f"{config.path}: {plural(len(config.gates), 'gate')}, sha256 {config.sha256[:12]}\n")
    for g in config.gates:
        blocking = "blocking" if g.blocking else "non-blocking"
        title = g.title
        if g.for_each is not None:  # expanded at the evaluation instant
            title += f" [one gate per {g.for_each.label} in {g.for_each.query} at --at]"
        out.write(
            f"  {g.id.ljust(width)}  {g.kind.ljust(kind_width)}  "
            f"{g.threshold.describe().ljust(14)}  {blocking}  {title}\n"
        )
    for w in config.waivers:
        out.write(f"  waiver: {w.gate} until {w.expires.isoformat()} ({w.owner}): {w.reason}\n")
    if args.check_queries:
        return _check_queries(args)
    return ExitCode.OK


def _check_queries(args: argparse.Namespace) -> int:
    from gacheck.commands.common import build_context
    from gacheck.core.timeparse import now, parse_instant, refuse_future
    from gacheck.run.check_queries import check_queries, unchecked_gates

    ctx = build_context(args, refuse_future(parse_instant(args.at)) if args.at else now())
    checks = check_queries(ctx)
    at = ctx.at.isoformat().replace("+00:00", "Z")
    sys.stdout.write(f"queries at {at}:\n")
    for check in checks:
        sys.stdout.write(f"  {check.outcome.upper():5}  {check.gate_id}: {check.detail}\n"
                         f"         {check.promql}\n")
    unchecked = unchecked_gates(ctx)
    if unchecked:
        sys.stdout.write(f"  not checked (no Prometheus query): {', '.join(unchecked)}\n")
    if any(c.outcome == "error" and "cannot reach" in c.detail for c in checks):
        return ExitCode.INCOMPLETE
    return ExitCode.USAGE if any(c.outcome != "ok" for c in checks) else ExitCode.OK
