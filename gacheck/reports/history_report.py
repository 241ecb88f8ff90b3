"""``gacheck history`` output: text, JSON, CSV (the day-and-gate rows) or Markdown."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from gacheck.core.units import Unit, format_value, plural
from gacheck.history.series import signed
from gacheck.history.table import HistoryReport
from gacheck.reports.markdown import md


def _unit(name: str) -> Unit:
    try:
        return Unit(name)
    except ValueError:
        return Unit.NUMBER


def _shown(value: float | None, unit: str) -> str:
    return format_value(value, _unit(unit))


def _change(value: float | None, unit: str, per_day: bool = False) -> str:
    if value is None:
        return "—"
    return signed(value, _unit(unit)) + ("/day" if per_day else "")


def _trend_cells(t: dict[str, Any]) -> list[str]:
    return [
        t["gate"],
        _shown(t["last"], t["unit"]),
        _change(t["change"], t["unit"]),
        _change(t["slope_per_day"], t["unit"], per_day=True),
        f"{t['streak']}d",
    ]


_TREND_HEAD = ["gate", "last", "change", "slope", "passing streak"]


def _columns(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
                     for r in rows) + "\n"


def render_text(report: HistoryReport) -> str:
    if not report.days:
        return "no audits found\n"
    out = [
        f"{plural(len(report.days), 'day')}, {report.days[0]} .. {report.days[-1]}; "
        f"passing streak: {plural(report.streak, 'day')}\n\n"
    ]
    rows = [["date", "verdict", "gate", "status", "value"]]
    for r in report.rows:
        rows.append([r["date"], report.verdicts.get(r["date"], ""), r["gate"], r["status"],
                     _shown(r["value"], r["unit"])])
    out.append(_columns(rows))
    if report.trends:
        out.append("\n" + _columns([_TREND_HEAD] + [_trend_cells(t) for t in report.trends]))
    return "".join(out)


def render_json(report: HistoryReport) -> str:
    document = {
        "days": report.days,
        "passing_streak_days": report.streak,
        "verdicts": report.verdicts,
        "rows": report.rows,
        "trends": report.trends,
        "skipped": report.skipped,
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def render_csv(report: HistoryReport) -> str:
    """One line per day and gate; values raw (seconds, ratios) so a spreadsheet can compute."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["date", "verdict", "gate", "status", "value", "unit"])
    for r in report.rows:
        value = "" if r["value"] is None else repr(r["value"])
        writer.writerow([r["date"], report.verdicts.get(r["date"], ""), r["gate"], r["status"],
                         value, r["unit"]])
    return buffer.getvalue()


def render_markdown(report: HistoryReport) -> str:
    if not report.days:
        return "No audits found.\n"
    lines = [
        f"# GA readiness history: {report.days[0]} .. {report.days[-1]}",
        "",
        f"Passing streak: **{plural(report.streak, 'day')}** "
        "(latest consecutive days with verdict pass).",
        "",
        "| " + " | ".join(_TREND_HEAD) + " |",
        "|---|---|---|---|---|",
    ]
    lines += ["| " + " | ".join(md(c) for c in _trend_cells(t)) + " |" for t in report.trends]
    lines += ["", "| date | verdict | gate | status | value |", "|---|---|---|---|---|"]
    for r in report.rows:
        cells = [r["date"], report.verdicts.get(r["date"], ""), r["gate"], r["status"],
                 _shown(r["value"], r["unit"])]
        lines.append("| " + " | ".join(md(c) for c in cells) + " |")
    return "\n".join(lines) + "\n"


RENDERERS = {"text": render_text, "json": render_json, "csv": render_csv,
             "markdown": render_markdown}
