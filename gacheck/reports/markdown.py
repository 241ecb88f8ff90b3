"""The audit as Markdown, through jinja2 templates.

Everything that comes from outside (alert names, file paths, messages, labels) goes through
``md`` (inline text and table cells) or ``fence`` (code blocks), so it can neither break the
table nor inject markup or HTML.
"""

from __future__ import annotations

import json
import re
import shlex
from functools import cache
from typing import Any

from gacheck.models import Audit, GateResult, Status
from gacheck.units import format_value

STATUS_MARK = {
    Status.PASS: "✅ pass",
    Status.WARN: "⚠️ warn",
    Status.FAIL: "❌ fail",
    Status.ERROR: "🛑 error",
    Status.NO_DATA: "❔ no data",
    Status.SKIPPED: "⏭️ skipped",
    Status.WAIVED: "🏳️ waived",
}
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")


def md(value: Any) -> str:
    """Inline-safe text: one line, HTML entities for ``<>&``, Markdown punctuation escaped."""
    text = "" if value is None else str(value)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = " ".join(text.split())
    return _MD_SPECIAL.sub(r"\\\1", text)


def fence(value: Any, lang: str = "") -> str:
    """A fenced code block that the content cannot close: the fence outgrows its backticks."""
    text = value if isinstance(value, str) else json.dumps(value, indent=2, ensure_ascii=False)
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}{lang}\n{text}\n{ticks}"


def code(value: Any) -> str:
    """Inline code that its content cannot close."""
    text = " ".join(str(value).split())
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def rerun(command: Any) -> str:
    """The shell line that runs a recorded command again from the repository root."""
    line = shlex.join(command.argv)
    if command.cwd and command.cwd != ".":
        line = f"cd {shlex.quote(command.cwd)} && {line}"
    return line


def shown_value(result: GateResult) -> str:
    return format_value(result.value, result.unit)


def shown_threshold(result: GateResult) -> str:
    return result.threshold.describe()


@cache
def _environment() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("gacheck.reports", "templates"),
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(md=md, fence=fence, code=code, shell=shlex.join, rerun=rerun)
    env.globals.update(
        mark=STATUS_MARK,
        shown_value=shown_value,
        shown_threshold=shown_threshold,
        format_value=format_value,
    )
    return env


def render_markdown(audit: Audit, extra: dict[str, Any] | None = None) -> str:
    """The whole report; ``extra`` is passed to the template (e.g. trends, charts)."""
    template = _environment().get_template("audit.md.j2")
    return template.render(audit=audit, extra=extra or {})
