"""``gacheck precommit``: the gates that need no server, before a commit lands.

Runs the config's gates of the kinds that read only the repository (the ruff budget, the
OpenAPI header guard, the pip-audit report's freshness and findings) as a partial evaluation,
writes nothing, prints each gate's outcome and exits 1 when one fails: the hook in
``.pre-commit-hooks.yaml`` refuses the commit with the gate's message.
"""

from __future__ import annotations

import argparse
import sys

NAME = "precommit"
HELP = "run the gates that need no server (ruff budget, OpenAPI headers, pip-audit report)"
SERVERLESS = ("ruff_budget", "openapi_headers", "pip_audit")
FINDINGS_SHOWN = 10


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from gacheck.commands.common import add_config_options

    add_config_options(parser)
    parser.add_argument("files", nargs="*", help="ignored: the gates read the repository")
    parser.add_argument("--strict", action="store_true", help="a warn verdict refuses too")


def run(args: argparse.Namespace) -> int:
    from gacheck.commands.common import build_context
    from gacheck.commands.evaluate import exit_code_for
    from gacheck.core.exitcodes import ExitCode
    from gacheck.core.timeparse import now
    from gacheck.reports.text import render_text
    from gacheck.run.evaluation import Selection, evaluate

    args.no_cache, args.cache_dir = True, None
    ctx = build_context(args, now())
    chosen = tuple(g.id for g in ctx.config.gates if g.kind in SERVERLESS)
    if not chosen:
        sys.stdout.write(f"gacheck precommit: {ctx.config.path} has no gate of the kinds "
                         f"{', '.join(SERVERLESS)}: nothing to check\n")
        return ExitCode.OK
    audit = evaluate(ctx, Selection(only=chosen, partial=True),
                     command=["gacheck", "precommit"])
    sys.stdout.write(render_text(audit, colour=False))
    for gate in audit.gates:
        if gate.status.value in ("fail", "error"):
            for finding in gate.evidence.findings[:FINDINGS_SHOWN]:
                where = f"{finding.file}:{finding.line or ''} " if finding.file else ""
                sys.stdout.write(f"  {gate.id}: {where}{finding.message}\n")
    if audit.verdict.value == "incomplete":
        return ExitCode.NOT_READY  # a gate that could not measure must not let a commit by
    return exit_code_for(audit.verdict.value, args.strict)
