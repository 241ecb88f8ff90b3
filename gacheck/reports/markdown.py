"""The audit as Markdown, through jinja2 templates.

Everything that comes from outside (alert names, file paths, messages, labels) goes through
``md`` (inline text and table cells) or ``fence`` (code blocks), so it can neither break the
table nor inject markup or HTML; ``md`` escapes only what would change the rendering, so the
raw Markdown (in a diff, a terminal) stays readable. Timestamps are shown to the second.
"""

from __future__ import annotations

import json
import re
import shlex
from functools import cache
from typing import Any

from gacheck.core.models import Audit, GateResult, Status
from gacheck.core.units import format_value

STATUS_MARK = {
    Status.PASS: "✅ pass",
    Status.WARN: "⚠️ warn",
    Status.FAIL: "❌ fail",
    Status.ERROR: "🛑 error",
    Status.NO_DATA: "❔ no data",
    Status.SKIPPED: "⏭️ skipped",
    Status.WAIVED: "🏳️ waived",
}
# What can change the rendering of one line of GitHub-flavoured Markdown, wherever it stands:
# code spans, emphasis and strike-through, links and images, table cells, HTML, and escapes.
_ALWAYS = re.compile(r"([\\`*~\[\]|])")
# "_" emphasises only at a word boundary: snake_case_names stay readable.
_UNDERSCORE = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
# Characters that start a block (heading, quote, list, rule) when they open the line or follow a
# list marker the template wrote: "- # x" is a heading inside a list item.
_LEADING = re.compile(r"^(#{1,6}(?=\s|$)|>|[-+](?=[\s\-+]|$))")
_ORDERED = re.compile(r"^(\d{1,9})([.)])(?=\s|$)")  # "1. x" is a list; the escape goes on "."
_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
_FRACTION = re.compile(r"(T\d\d:\d\d:\d\d)\.\d+(?=Z|[+-]\d\d:\d\d)")


def instant(value: Any) -> str:
    """An RFC 3339 timestamp to the second: ``2026-11-26T03:22:44.890000Z`` -> ``...:44Z``."""
    return _FRACTION.sub(r"\1", "" if value is None else str(value))


def md(value: Any) -> str:
    """One line of text that renders as itself, inline or in a table cell.

    Only what would change the rendering is escaped (the escaping tests feed hostile text):
    line breaks are joined, ``<`` and entity-like ``&`` become HTML entities, backticks,
    ``*``, ``~``, brackets, pipes and backslashes, ``_`` at a word boundary, and what would
    open a block at the start (``# ``, ``>``, ``- ``, ``+ ``, ``1. ``) get a backslash. Dots,
    dashes inside words, parentheses and braces stay as they are, so raw Markdown stays
    readable.
    """
    text = instant(value)
    text = " ".join(text.split())
    text = _ENTITY.sub("&amp;", text).replace("<", "&lt;")
    text = _ALWAYS.sub(r"\\\1", text)
    text = _UNDERSCORE.sub(r"\\_", text)
    text = _LEADING.sub(r"\\\1", text)
    return _ORDERED.sub(r"\1\\\2", text)


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


def _bytecode_cache() -> Any:
    """Compiled templates kept in the user's cache dir (``$XDG_CACHE_HOME/gacheck/templates``):
    compiling them was most of the time an audit took to write (about 60 of 80 ms). Jinja
    checks each entry against its template's source and writes entries atomically; an entry it
    cannot read (corrupt, truncated) is compiled again, never an error."""
    import jinja2

    from gacheck.core.user_cache import default_cache_dir

    class Forgiving(jinja2.FileSystemBytecodeCache):
        def load_bytecode(self, bucket: Any) -> None:
            try:
                super().load_bytecode(bucket)
            except Exception:  # pickle and marshal errors of a damaged entry
                bucket.reset()

    directory = default_cache_dir() / "templates"
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError:
        return None  # a read-only home: templates are compiled each time, as before
    return Forgiving(str(directory))


@cache
def _environment() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("gacheck.reports", "templates"),
        bytecode_cache=_bytecode_cache(),
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(md=md, fence=fence, code=code, shell=shlex.join, rerun=rerun,
                       instant=instant)
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
