"""What ``gacheck evaluate`` prints once the audit exists, in the format asked for."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from gacheck.context import Context
from gacheck.core.models import Audit
from gacheck.output.writer import Written, summary_markdown


def print_outcome(fmt: str, audit: Audit, ctx: Context, written: Written, quiet: bool) -> None:
    """The report in ``fmt`` on stdout; in ``github`` also the annotations and step summary."""
    from gacheck.reports.text import render_text, use_colour, verdict_line

    full_report = None
    if written.markdown is not None:
        shown = Path(os.path.relpath(written.markdown, Path.cwd()))
        full_report = str(written.markdown) if str(shown).startswith("..") else str(shown)
    if fmt == "json":
        from gacheck.reports.json_report import render_json

        sys.stdout.write(render_json(audit))
    elif fmt == "markdown":
        sys.stdout.write(summary_markdown(audit, ctx))
    elif quiet:
        sys.stdout.write(verdict_line(audit, fmt == "text" and use_colour(sys.stdout)) + "\n")
    else:
        sys.stdout.write(render_text(audit, colour=fmt == "text" and use_colour(sys.stdout)))
    if fmt == "github":
        from gacheck.output.step_files import append_step_summary
        from gacheck.reports.github import render_github, workspace_prefix

        prefix = workspace_prefix(ctx.repo, os.environ.get("GITHUB_WORKSPACE"))
        sys.stdout.write(render_github(audit, full_report, prefix))
        append_step_summary(summary_markdown(audit, ctx), full_report)
    if os.environ.get("GITHUB_ACTIONS") == "true":  # any format: the step's outputs
        from gacheck.output.step_files import append_step_outputs

        append_step_outputs(audit, written.json)
    if written.files and not quiet:
        where = sys.stdout if fmt in ("text", "github") else sys.stderr
        main = [str(p) for p in (written.json, written.markdown) if p is not None]
        where.write("audit written: " + ", ".join(main) + "\n")
