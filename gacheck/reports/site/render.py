"""The dashboard's pages as text: Jinja templates with autoescape on, so every field of an
audit (titles, messages, findings, commands) is shown as text and can neither add markup nor
run. Links are only ever the site's own relative paths, never a value from an audit."""

from __future__ import annotations

import json
import posixpath
import shlex
from datetime import datetime
from functools import cache
from typing import Any

from gacheck.reports.site.model import FolderView, GateView
from gacheck.reports.site.svg import history_chart, shown_value, sparkline

FINDINGS_SHOWN = 200
"""Findings listed per gate on a page; the rest are counted (a 20,000-finding audit must not
make a 100 MB page). The JSON audit keeps them all."""
DETAILS_CHARS = 20_000
TABLE_DAYS = 90
SPARK_DAYS = 30
STRIP_DAYS = 60
STYLESHEET = "site.css"


def _text(value: Any, limit: int = 2000) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False,
                                                           default=str)
    return text if len(text) <= limit else text[:limit] + f"… ({len(text) - limit:,} more)"


def _details(value: Any) -> str:
    text = json.dumps(value, indent=2, ensure_ascii=False, default=str, sort_keys=True)
    if len(text) <= DETAILS_CHARS:
        return text
    return text[:DETAILS_CHARS] + f"\n… ({len(text) - DETAILS_CHARS:,} more characters in the " \
        "JSON audit)"


def _argv(command: Any) -> str:
    if not isinstance(command, dict) or not isinstance(command.get("argv"), list):
        return _text(command)
    line = shlex.join(str(a) for a in command["argv"])
    cwd = command.get("cwd")
    return f"cd {shlex.quote(str(cwd))} && {line}" if cwd and cwd != "." else line


def _value(gate: dict[str, Any]) -> str:
    value = gate.get("value")
    if not isinstance(value, int | float) or isinstance(value, bool):
        return "—"
    return shown_value(str(gate.get("unit", "number")), float(value))


def _threshold(gate: dict[str, Any]) -> str:
    threshold = gate.get("threshold")
    if not isinstance(threshold, dict):
        return ""
    unit = str(gate.get("unit", threshold.get("unit", "number")))
    parts = []
    for name, sign in (("max", "≤"), ("min", "≥"), ("warn", "warn")):
        bound = threshold.get(name)
        if isinstance(bound, int | float) and not isinstance(bound, bool):
            parts.append(f"{sign} {shown_value(unit, float(bound))}")
    return " ".join(parts)


KNOWN = frozenset({"pass", "warn", "fail", "error", "no_data", "skipped", "waived", "incomplete",
                   "partial"})


def _css(status: Any) -> str:
    """A status as a class name: one of the known ones, else ``other``."""
    return status if isinstance(status, str) and status in KNOWN else "other"


def _evidence(gate: dict[str, Any]) -> dict[str, Any]:
    """The gate's evidence with every list checked: entries that are not objects are left
    out (``store`` checked findings only), findings capped at ``FINDINGS_SHOWN``."""
    found = gate.get("evidence")
    evidence: dict[str, Any] = found if isinstance(found, dict) else {}
    lists = {key: [e for e in evidence.get(key) or [] if isinstance(e, dict)]
             if isinstance(evidence.get(key), list) else []
             for key in ("queries", "commands", "findings")}
    findings = lists["findings"]
    total = evidence.get("findings_total")
    total = total if isinstance(total, int) and total >= len(findings) else len(findings)
    notes = evidence.get("notes")
    notes = notes if isinstance(notes, list) else []
    return {"queries": lists["queries"], "commands": lists["commands"],
            "findings": findings[:FINDINGS_SHOWN], "findings_total": total,
            "notes": notes[:100], "details": evidence.get("details") or {}}


@cache
def _environment() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("gacheck.reports.site", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(css=_css, text=_text, details=_details, argv=_argv, value=_value,
                       threshold=_threshold, evidence=_evidence)
    env.globals.update(sparkline=sparkline, shown=shown_value, FINDINGS_SHOWN=FINDINGS_SHOWN,
                       TABLE_DAYS=TABLE_DAYS, SPARK_DAYS=SPARK_DAYS, STRIP_DAYS=STRIP_DAYS)
    return env


def _render(name: str, path: str, **context: Any) -> str:
    def link(target: str) -> str:
        return posixpath.relpath(target, posixpath.dirname(path) or ".")

    return _environment().get_template(name).render(
        link=link, stylesheet=link(STYLESHEET), **context)


def render_site(folders: list[FolderView], generated_at: datetime) -> dict[str, str]:
    """Every page of the site by its path relative to the site's root, and its stylesheet."""
    from importlib.resources import files

    stamp = generated_at.strftime("%Y-%m-%d %H:%M UTC")
    pages = {"index.html": _render("index.html.j2", "index.html", folders=folders,
                                   generated=stamp)}
    for folder in folders:
        pages[folder.index] = _render("audits.html.j2", folder.index, folder=folder,
                                      generated=stamp)
        for gate in folder.gates:
            pages[gate.page] = _gate_page(folder, gate, stamp)
        for page in folder.pages:
            pages[page.page] = _render("audit.html.j2", page.page, folder=folder, page=page,
                                       doc=page.doc, generated=stamp)
    css = files("gacheck.reports.site").joinpath("templates", STYLESHEET)
    pages[STYLESHEET] = css.read_text(encoding="utf-8")
    return pages


def _gate_page(folder: FolderView, gate: GateView, stamp: str) -> str:
    unit = str(gate.latest.gate.get("unit", "number"))
    chart = history_chart(gate.points, unit)
    return _render("gate.html.j2", gate.page, folder=folder, gate=gate, chart=chart,
                   latest=gate.latest, generated=stamp)
