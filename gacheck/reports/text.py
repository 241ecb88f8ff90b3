"""The audit as terminal lines: one per gate, then the verdict. Colour only on a terminal."""

from __future__ import annotations

import os
from typing import TextIO

from gacheck.core.models import Audit

_COLOURS = {
    "pass": "32",
    "warn": "33",
    "fail": "31",
    "error": "35",
    "no_data": "35",
    "incomplete": "35",
    "skipped": "2",
    "waived": "36",
}


def use_colour(stream: TextIO) -> bool:
    """On a terminal, unless ``NO_COLOR`` is set to anything (https://no-color.org)."""
    if "NO_COLOR" in os.environ:
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _paint(word: str, colour: bool) -> str:
    label = word.upper().ljust(10)
    code = _COLOURS.get(word)
    return f"\033[{code}m{label}\033[0m" if colour and code else label


def verdict_line(audit: Audit, colour: bool = False) -> str:
    """``verdict: FAIL  score 50/100``: the same words in the report and with ``--quiet``."""
    return f"verdict: {_paint(audit.verdict.value, colour).rstrip()}  score {audit.score:g}/100"


def render_text(audit: Audit, colour: bool = False) -> str:
    width = max((len(g.id) for g in audit.gates), default=4)
    lines = []
    for g in audit.gates:
        message = " ".join(g.message.split())
        if len(message) > 160:
            message = message[:157] + "..."
        blocking = "" if g.blocking else " (non-blocking)"
        lines.append(f"{_paint(g.status.value, colour)} {g.id.ljust(width)}  {message}{blocking}")
    lines.append("")
    lines.append(verdict_line(audit, colour))
    lines.extend(f"  - {note}" for note in audit.notes)
    if audit.report_only:
        lines.append("  (report only: the exit code is 0 whatever the verdict)")
    return "\n".join(lines) + "\n"
