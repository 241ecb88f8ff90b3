"""One range query that says, per step of a window, whether Prometheus was watching.

The expression joins two signals with ``or``, each counted into one series named by a
``signal`` label: ``scrapes`` (any sample of the scrape selector in the step before the
instant: ``count(count_over_time(up[59999ms]))`` at a 1m step) and ``rule evaluations`` (the
rule signal expression, by default "a rule group evaluated within two of its intervals and a
minute").
Gates with the same window and step share one answer per evaluation.
"""

from __future__ import annotations

from dataclasses import dataclass

from gacheck.collectors.prometheus.client import client
from gacheck.collectors.prometheus.promql import step_range
from gacheck.collectors.prometheus.results import QueryResult
from gacheck.collectors.prometheus.window import RangeWindow
from gacheck.context import Context
from gacheck.sli.blind import RULES, SCRAPES, BlindReport, blind_stretches


@dataclass(frozen=True)
class Signals:
    scrape: str
    """A selector that is scraped all along (``up``); "" leaves it out."""
    rule: str
    """PromQL with a sample while rules are evaluated; "" leaves it out."""

    @classmethod
    def of(cls, ctx: Context, scrape: str | None = None, rule: str | None = None) -> Signals:
        prom = ctx.config.prometheus
        return cls(prom.scrape_signal if scrape is None else scrape.strip(),
                   prom.rule_signal if rule is None else rule.strip())


def coverage_query(signals: Signals, step_s: float) -> str | None:
    parts = []
    if signals.scrape:
        parts.append(f'label_replace(count(count_over_time({signals.scrape}[{step_range(step_s)}]))'
                     f', "signal", "{SCRAPES}", "", "")')
    if signals.rule:
        parts.append(f'label_replace(count({signals.rule}), "signal", "{RULES}", "", "")')
    return " or ".join(parts) or None


@dataclass(frozen=True)
class Coverage:
    report: BlindReport
    result: QueryResult


def monitoring_coverage(ctx: Context, window: RangeWindow, signals: Signals) -> Coverage | None:
    """Blind stretches of ``window`` (``None`` when no signal is configured)."""
    promql = coverage_query(signals, window.step_s)
    if promql is None:
        return None
    key = f"prometheus:coverage:{promql}:{window.start.timestamp()}:{window.end.timestamp()}"
    return ctx.shared(key, lambda: _measure(ctx, window, promql, signals))


def _measure(ctx: Context, window: RangeWindow, promql: str, signals: Signals) -> Coverage:
    result = client(ctx).range(promql, window.start, window.end, window.step_s)
    start, step, count = window.start.timestamp(), window.step_s, window.points
    present: dict[str, list[bool]] = {}
    if signals.scrape:
        present[SCRAPES] = [False] * count
    for series in result.series:
        name = series.labels.get("signal", SCRAPES)
        flags = present.setdefault(name, [False] * count)
        for ts, value in zip(series.timestamps, series.values, strict=True):
            index = round((ts - start) / step)
            if 0 <= index < count and value > 0:
                flags[index] = True
    return Coverage(blind_stretches(start, step, count, present), result)
