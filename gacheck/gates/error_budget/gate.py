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
from typing import Any, ClassVar

from gacheck.collectors.prometheus.client import client, utc
from gacheck.collectors.prometheus.window import range_window
from gacheck.config.model import GateSpec
from gacheck.context import Context
from gacheck.core.errors import NoDataError
from gacheck.core.models import Evidence, Status
from gacheck.core.units import Unit, format_duration
from gacheck.gates.error_budget.events import budget_at
from gacheck.gates.error_budget.params import ErrorBudgetParams
from gacheck.gates.interface import GateKind, Measurement, Params
from gacheck.sli.burn import burn_rates, fired


class ErrorBudgetGate(GateKind):
    params: ClassVar[type[Params]] = ErrorBudgetParams
    unit: ClassVar[Unit | None] = Unit.RATIO
    default_threshold: ClassVar[dict[str, Any]] = {}

    def threshold_for(self, params: ErrorBudgetParams) -> dict[str, float]:
        return {"min": params.min_remaining}

    def evaluate(self, gate: GateSpec, ctx: Context) -> Measurement:

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

