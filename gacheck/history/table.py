"""The audits written so far as a table (pandas): one row per day and gate, trends, streaks.

A day is a UTC date; when a day has several audits, its last one speaks for it (as the daily
report does). pandas is imported inside the functions: ``gacheck --help`` must stay fast.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from gacheck.history.store import History
from gacheck.history.value_trend import change_since_previous, slope_per_day

_MEASURED = ("pass", "warn", "fail", "waived")


@dataclass(frozen=True)
class HistoryReport:
    """What ``gacheck history`` shows; plain data, so every format renders the same facts."""

    rows: list[dict[str, Any]]  # date, gate, title, status, value, unit
    trends: list[dict[str, Any]]  # gate, title, unit, days, last, change, slope_per_day, streak
    days: list[str]  # the dates covered, oldest first
    verdicts: dict[str, str]  # date -> verdict of that day's last audit
    streak: int  # latest consecutive days whose verdict was pass
    skipped: list[str] = field(default_factory=list)


def _gate_rows(history: History, skipped: list[str]) -> list[dict[str, Any]]:
    """Every gate of every audit; malformed entries are noted in ``skipped`` and left out."""
    rows = []
    for audit in history.audits:
        gates = audit.document.get("gates")
        if not isinstance(gates, list):
            skipped.append(f"{audit.path}: no list of gates; audit left out")
            continue
        for index, gate in enumerate(gates):
            value = gate.get("value") if isinstance(gate, dict) else None
            if not isinstance(gate, dict) or not isinstance(gate.get("id"), str):
                skipped.append(f"{audit.path}: gates[{index}] is not a gate; left out")
                continue
            if isinstance(value, bool) or not isinstance(value, int | float | None):
                value = None
            rows.append(
                {
                    "evaluated_at": audit.evaluated_at,
                    "date": audit.evaluated_at.date().isoformat(),
                    "verdict": str(audit.document.get("verdict", "")),
                    "gate": gate["id"],
                    "title": str(gate.get("title", gate["id"])),
                    "status": str(gate.get("status", "")),
                    "value": None if value is None else float(value),
                    "unit": str(gate.get("unit", "number")),
                }
            )
    return rows


def _streak(statuses: list[str], passing: tuple[str, ...] = ("pass",)) -> int:
    count = 0
    for status in reversed(statuses):
        if status not in passing:
            break
        count += 1
    return count


def _trend(frame: Any) -> dict[str, Any]:
    """Last value, change from the previous measured day, least-squares slope per day."""
    measured = frame[frame["status"].isin(_MEASURED) & frame["value"].notna()]
    last = float(measured["value"].iloc[-1]) if len(measured) else None
    values = measured["value"]
    change = change_since_previous([float(v) for v in values])
    points = [
        (at.to_pydatetime(), float(value))
        for at, value in zip(measured["evaluated_at"], values, strict=True)
    ]
    slope = slope_per_day(points)  # the same fit the ruff gate's trend uses
    if slope is not None and math.isclose(slope, 0.0, abs_tol=1e-12):
        slope = 0.0
    return {
        "gate": frame["gate"].iloc[-1],
        "title": frame["title"].iloc[-1],
        "unit": frame["unit"].iloc[-1],
        "days": int(len(frame)),
        "last": last,
        "change": change,
        "slope_per_day": slope,
        "streak": _streak(frame["status"].tolist()),
    }


def build_report(
    history: History, since: date | None = None, gate: str | None = None
) -> HistoryReport:
    """The table of ``history`` from ``since`` (inclusive) on, for one gate or all."""
    import pandas as pd

    skipped = list(history.skipped)
    rows = _gate_rows(history, skipped)
    if not rows:
        return HistoryReport([], [], [], {}, 0, skipped)
    frame = pd.DataFrame(rows).sort_values(["evaluated_at"], kind="stable")  # config order kept
    if since is not None:
        frame = frame[frame["date"] >= since.isoformat()]
    # The last audit of each day speaks for that day.
    last_of_day = frame.groupby("date")["evaluated_at"].transform("max")
    frame = frame[frame["evaluated_at"] == last_of_day]
    verdicts = frame.groupby("date")["verdict"].last().to_dict()
    if gate is not None:
        frame = frame[frame["gate"] == gate]
    day_list = sorted(verdicts)
    order = list(dict.fromkeys(frame["gate"]))  # first-seen order, as in the config
    trends = [_trend(frame[frame["gate"] == gate_id]) for gate_id in order]
    table = frame.sort_values(["date"], kind="stable")
    out_rows = [
        {
            "date": r.date,
            "gate": r.gate,
            "title": r.title,
            "status": r.status,
            "value": None if pd.isna(r.value) else float(r.value),
            "unit": r.unit,
        }
        for r in table.itertuples(index=False)
    ]
    streak = _streak([verdicts[d] for d in day_list])
    return HistoryReport(out_rows, trends, day_list, verdicts, streak, skipped)
