"""GitHub Actions' step files: the summary (``$GITHUB_STEP_SUMMARY``) and the outputs
(``$GITHUB_OUTPUT``), appended to; the text is made by ``gacheck.reports.github``."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from gacheck.core.errors import OutputError
from gacheck.core.models import Audit
from gacheck.core.secrets import current
from gacheck.reports.github import SUMMARY_LIMIT, SUMMARY_MARGIN, fit_summary


def append_step_summary(
    markdown: str, full_report: str | None = None, summary_path: str | None = None
) -> Path | None:
    """Append the report to ``$GITHUB_STEP_SUMMARY``; None when not running in Actions."""
    target = summary_path or os.environ.get("GITHUB_STEP_SUMMARY")
    if not target:
        return None
    path = Path(target)
    try:
        used = path.stat().st_size if path.exists() else 0
        budget = SUMMARY_LIMIT - used - SUMMARY_MARGIN
        if budget < SUMMARY_MARGIN:
            # Earlier commands of this step filled the summary: GitHub would reject all of it.
            sys.stderr.write(
                f"gacheck: the step summary is full ({used} bytes); not appending the report\n"
            )
            return None
        with path.open("a", encoding="utf-8") as handle:
            handle.write(current().redact(fit_summary(markdown, budget, full_report)))
    except OSError as exc:
        raise OutputError(
            f"cannot append to GITHUB_STEP_SUMMARY {target}: {exc.strerror or exc}"
        ) from None
    return path


def append_step_outputs(audit: Audit, audit_json: Path | None,
                        output_path: str | None = None) -> Path | None:
    """``verdict``, ``score`` and ``audit`` (the JSON audit's path) as step outputs, appended to
    ``$GITHUB_OUTPUT``; None when there is no such file. Every value is one line of gacheck's
    own making, so the plain ``name=value`` form cannot be confused by it."""
    target = output_path or os.environ.get("GITHUB_OUTPUT")
    if not target:
        return None
    lines = [f"verdict={audit.verdict.value}", f"score={audit.score:g}",
             f"audit={'' if audit_json is None else ' '.join(str(audit_json).split())}"]
    try:
        with Path(target).open("a", encoding="utf-8") as handle:
            handle.write("".join(line + "\n" for line in lines))
    except OSError as exc:
        raise OutputError(f"cannot append to GITHUB_OUTPUT {target}: {exc.strerror or exc}"
                          ) from None
    return Path(target)
