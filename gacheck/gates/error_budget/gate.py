"""``error_budget``: an SLO's budget remaining at ``--at``, and multi-window burn-rate alerts.

Events come from good (or bad) and total counters, or from an error-ratio query written with
``$window``. Over the whole ``period`` they are counted with one ``increase()`` per counter:
Prometheus undoes counter resets, and a counter read after a stretch without scrapes still
holds what happened meanwhile, so restarts and scrape gaps lose no events. Burn rates are
sampled over the gate's ``window``; a fast pair that fired fails the gate, a slow one warns.
Documentation: ``docs/gates/error_budget.md``.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Annotated, Any, ClassVar

from pydantic import BeforeValidator, Field, field_validator, model_validator

from gacheck.collectors.prometheus.client import client, utc
from gacheck.collectors.prometheus.promql import duration
from gacheck.collectors.prometheus.window import range_window
from gacheck.config.model import Duration, GateSpec
from gacheck.context import Context
from gacheck.core.errors import NoDataError
from gacheck.core.models import Evidence, Status
from gacheck.core.units import Unit, format_duration, parse_ratio
from gacheck.gates.interface import GateKind, Measurement, Params
from gacheck.sli.burn import burn_rates, fired

Ratio = Annotated[float, BeforeValidator(parse_ratio)]
WINDOW = "$window"
EVENTS_NOTE = ("events counted with increase() over the whole {period} period: counter resets "
               "(restarts) are undone and a counter read after a scrape gap still holds the "
               "events of the gap, so neither loses events")


class BurnPair(Params):
    long: Duration = Field(gt=0)
    short: Duration = Field(gt=0)
    factor: float = Field(gt=0, description="burn rate both windows must exceed")

    @model_validator(mode="after")
    def _order(self) -> BurnPair:
        if self.short >= self.long:
            raise ValueError("short must be shorter than long")
        return self

    def name(self) -> str:
        return f"{duration(self.long)}/{duration(self.short)} ≥ {self.factor:g}x"


class ErrorBudgetParams(Params):
    total: str | None = Field(default=None, description="counter of all events")
    good: str | None = Field(default=None, description="counter of good events")
    bad: str | None = Field(default=None, description="counter of bad events")
    ratio: str | None = Field(default=None, description="error ratio, written with $window")
    objective: Ratio = Field(gt=0, lt=1, description='e.g. "99.9%"')
    period: Duration = Field(default=28 * 86400.0, gt=0)
    min_remaining: Ratio = Field(default=0.0, le=1, description="less remaining fails")
    fast_burn: list[BurnPair] = Field(default_factory=lambda: [
        BurnPair(long=3600.0, short=300.0, factor=14.4)], description="fired: fail")
    slow_burn: list[BurnPair] = Field(default_factory=lambda: [
        BurnPair(long=21600.0, short=1800.0, factor=6.0)], description="fired: warn")
    window: Duration | None = Field(default=None, gt=0, description="burn look-back")
    step: Duration | None = Field(default=None, gt=0)
    min_coverage: float = Field(default=0.9, gt=0, le=1, description="of the burn window")

    @field_validator("ratio")
    @classmethod
    def _templated(cls, value: str | None) -> str | None:
        if value is not None and WINDOW not in value:
            raise ValueError(f"the ratio query must contain {WINDOW} (its range), e.g. "
                             "sum(rate(errors[$window])) / sum(rate(requests[$window]))")
        return value

    @model_validator(mode="after")
    def _source(self) -> ErrorBudgetParams:
        counters = self.total is not None
        if counters == (self.ratio is not None):
            raise ValueError("give total with good or bad (counters), or ratio, not both")
        if counters and (self.good is None) == (self.bad is None):
            raise ValueError("with total, give exactly one of good or bad")
        return self

    @property
    def budget(self) -> float:
        return 1.0 - self.objective

    def error_ratio(self, window_s: float) -> str:
        w = duration(window_s)
        if self.ratio is not None:
            return self.ratio.replace(WINDOW, w)
        total = f"sum(increase({self.total}[{w}]))"
        if self.good is not None:
            return f"1 - sum(increase({self.good}[{w}])) / {total}"
        return f"(sum(increase({self.bad}[{w}])) or 0 * {total}) / {total}"


class ErrorBudgetGate(GateKind):
    params: ClassVar[type[Params]] = ErrorBudgetParams
    unit: ClassVar[Unit | None] = Unit.RATIO
    default_threshold: ClassVar[dict[str, Any]] = {}

    def threshold_for(self, params: ErrorBudgetParams) -> dict[str, float]:
        return {"min": params.min_remaining}

    def evaluate(self, gate: GateSpec, ctx: Context) -> Measurement:
        from gacheck.gates.error_budget.events import budget_at

        params: ErrorBudgetParams = gate.params
        prom = client(ctx)
        spent = budget_at(prom, params, ctx.at)
        records, notes = list(spent.records), list(spent.notes)
        window = range_window(ctx.at, params.window or ctx.config.settings.window,
                              params.step or ctx.config.settings.step, prom.settings.max_points)
        if window.note():
            notes.append(window.note() or "")
        pairs = [(p, "fast") for p in params.fast_burn] + [(p, "slow") for p in params.slow_burn]
        windows = sorted({w for p, _ in pairs for w in (p.long, p.short)})
        with ThreadPoolExecutor(4, thread_name_prefix=f"burn-{gate.id}") as pool:
            futures = {w: pool.submit(prom.range, params.error_ratio(w), window.start,
                                      window.end, window.step_s) for w in windows}
            found = {w: f.result() for w, f in futures.items()}
        rates = {}
        for w in windows:
            records.append(found[w].record)
            series = found[w].series
            rates[w] = burn_rates(series[0].timestamps, series[0].values,
                                  params.budget) if len(series) == 1 else {}
        evidence_so_far = Evidence(queries=records, notes=notes)
        burns, floor, fired_text, peaks = [], None, [], []
        for pair, severity in pairs:
            outcome = fired(rates[pair.long], rates[pair.short], pair.factor, window.step_s)
            coverage = outcome.covered / window.points
            if coverage < params.min_coverage:
                raise NoDataError(
                    f"burn rate {pair.name()} could be evaluated at only {coverage:.0%} of the "
                    f"{format_duration(window.window_s)} window (min_coverage "
                    f"{params.min_coverage:.0%}): a burn there would go unseen",
                    evidence_so_far)
            burns.append({
                "pair": pair.name(), "severity": severity, "coverage": round(coverage, 4),
                "peak_long": outcome.peak_long, "peak_short": outcome.peak_short,
                "fired": [{"start": _iso(e.start), "end": _iso(e.end), "peak": e.peak}
                          for e in outcome.episodes]})
            peaks.append(f"{pair.name()}: peak {_x(outcome.peak_long)}/{_x(outcome.peak_short)}")
            if outcome.episodes:
                first = outcome.episodes[0]
                lasted = sum(e.end - e.start for e in outcome.episodes) + window.step_s * len(
                    outcome.episodes)
                fired_text.append(
                    f"{severity} burn {pair.name()} fired from {_iso(first.start)} for "
                    f"{format_duration(lasted)} (peak {first.peak:.3g}x)")
                floor = Status.FAIL if severity == "fast" or floor is Status.FAIL else Status.WARN
        details = {**spent.details, "burn": burns, "window": window.details()}
        period = format_duration(params.period)
        message = (f"{spent.summary}, objective {params.objective * 100:.4g}% over {period}")
        message += "; " + ("; ".join(fired_text) if fired_text else
                           f"no burn-rate alert fired in the {format_duration(window.window_s)} "
                           f"window ({'; '.join(peaks)})")
        return Measurement(spent.remaining, message,
                           Evidence(queries=records, details=details, notes=notes), floor)

    def queries_to_check(self, gate: GateSpec) -> list[str]:
        params: ErrorBudgetParams = gate.params
        return [params.error_ratio(params.period)]


def _iso(ts: float) -> str:
    return utc(ts).isoformat().replace("+00:00", "Z")


def _x(value: float | None) -> str:
    return "—" if value is None else f"{value:.3g}x"

