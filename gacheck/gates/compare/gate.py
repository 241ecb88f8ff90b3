"""``compare``: one PromQL SLI for a candidate and a baseline, judged by their difference.

The baseline is the same query a while ago (``baseline = "offset 7d"``: the window shifted
back), the same query with other label matchers (``baseline_matchers`` beside
``candidate_matchers``, substituted for ``$matchers`` in the query), or the candidate median
this gate recorded in an earlier audit (``baseline = "audit:last-pass"`` or ``"audit:last"``).
The judgement is ``gacheck.sli.comparison``'s; documentation: ``docs/gates/compare.md``.
"""

from __future__ import annotations

import math
import re
from concurrent.futures import ThreadPoolExecutor
from typing import Annotated, Any, ClassVar

from pydantic import BeforeValidator, Field, model_validator

from gacheck.collectors.prometheus.client import client
from gacheck.collectors.prometheus.results import QueryResult
from gacheck.collectors.prometheus.window import RangeWindow, range_window
from gacheck.config.model import Duration, GateSpec
from gacheck.context import Context
from gacheck.core.errors import CollectorError, NoDataError
from gacheck.core.models import Evidence, QueryRecord
from gacheck.core.units import Unit, format_value, parse_duration, parse_ratio
from gacheck.gates.compare.baseline import audit_baseline
from gacheck.gates.interface import GateKind, Measurement, Params
from gacheck.sli.comparison import Limits, judge_change, two_line_sparkline

Ratio = Annotated[float, BeforeValidator(parse_ratio)]
OFFSET = re.compile(r"^offset\s+(\S+)$")
AUDIT_BASELINES = ("audit:last-pass", "audit:last")
PLACEHOLDER = "$matchers"
INDEPENDENCE_NOTE = (
    "the samples are a time series: neighbouring instants are not independent, so the U "
    "test's p is optimistic; that is why a change must also exceed the tolerance to fail")


class CompareParams(Params):
    query: str = Field(min_length=1, description="the SLI, one series per side")
    baseline: str | None = Field(default=None, description='"offset 7d" or "audit:last-pass"')
    candidate_matchers: str | None = Field(default=None, description="put for $matchers")
    baseline_matchers: str | None = Field(default=None, description="put for $matchers")
    max_increase: Ratio | None = Field(default=None, ge=0, description='e.g. "10%"')
    max_decrease: Ratio | None = Field(default=None, ge=0, description='e.g. "10%"')
    significance: float = Field(default=0.05, gt=0, lt=1, description="U test level")
    min_samples: int = Field(default=30, ge=3, description="fewer on either side: no_data")
    window: Duration | None = Field(default=None, gt=0, description="default settings.window")
    step: Duration | None = Field(default=None, gt=0, description="default settings.step")
    value_unit: Unit = Field(default=Unit.NUMBER, description="how medians are shown")

    @model_validator(mode="after")
    def _sources(self) -> CompareParams:
        if self.max_increase is None and self.max_decrease is None:
            raise ValueError("give max_increase, max_decrease or both (e.g. \"10%\")")
        by_labels = self.candidate_matchers is not None or self.baseline_matchers is not None
        if by_labels == (self.baseline is not None):
            raise ValueError("give either baseline (\"offset 7d\", \"audit:last-pass\"), or "
                             "candidate_matchers and baseline_matchers, not both")
        if by_labels:
            if not (self.candidate_matchers and self.baseline_matchers):
                raise ValueError("give both candidate_matchers and baseline_matchers")
            if PLACEHOLDER not in self.query:
                raise ValueError(f"the query must contain {PLACEHOLDER} where the matchers go, "
                                 'e.g. rate(x_total{outcome="deny", $matchers}[5m])')
        elif self.baseline not in AUDIT_BASELINES:
            match = OFFSET.match(self.baseline or "")
            if not match:
                raise ValueError('baseline: expected "offset <duration>" (e.g. "offset 7d"), '
                                 f'"audit:last-pass" or "audit:last", got "{self.baseline}"')
            if parse_duration(match.group(1)) <= 0:
                raise ValueError("baseline: the offset must be positive")
        return self

    @property
    def shift_s(self) -> float | None:
        match = OFFSET.match(self.baseline or "")
        return parse_duration(match.group(1)) if match else None

    def side_query(self, matchers: str | None) -> str:
        if matchers is None:
            return self.query
        return self.query.replace(PLACEHOLDER, matchers.strip().strip("{}").strip())

    def describe_baseline(self) -> str:
        if self.baseline_matchers is not None:
            return f"{{{self.baseline_matchers}}}"
        return str(self.baseline)


class CompareGate(GateKind):
    params: ClassVar[type[Params]] = CompareParams
    unit: ClassVar[Unit | None] = Unit.RATIO
    default_threshold: ClassVar[dict[str, Any]] = {}

    def threshold_for(self, params: CompareParams) -> dict[str, float]:
        """The tolerance, shown as the gate's threshold (the gate applies it itself)."""
        levels = {"max": params.max_increase}
        if params.max_decrease is not None:
            levels["min"] = -params.max_decrease
        return {k: v for k, v in levels.items() if v is not None}

    def evaluate(self, gate: GateSpec, ctx: Context) -> Measurement:
        params: CompareParams = gate.params
        prom = client(ctx)
        window = range_window(ctx.at, params.window or ctx.config.settings.window,
                              params.step or ctx.config.settings.step, prom.settings.max_points)
        candidate_query = params.side_query(params.candidate_matchers)
        notes = [n for n in (window.note(),) if n]
        if params.baseline in AUDIT_BASELINES:
            found = prom.range(candidate_query, window.start, window.end, window.step_s)
            records = [found.record]
            candidate = _values(found, "candidate", params, records)
            earlier = audit_baseline(ctx, gate.id, candidate_query, params.baseline or "")
            notes += [*earlier.notes, "one earlier value, no samples: no significance test; "
                      "the tolerance alone decides"]
            baseline: list[float] | float = earlier.median
            baseline_side = {"source": earlier.describe(), "median": earlier.median}
        else:
            baseline_query = params.side_query(params.baseline_matchers)
            shifted = _shifted(window, params.shift_s or 0.0)
            with ThreadPoolExecutor(2, thread_name_prefix=f"compare-{gate.id}") as pool:
                wanted = pool.submit(prom.range, candidate_query, window.start, window.end,
                                     window.step_s)
                then = pool.submit(prom.range, baseline_query, shifted.start, shifted.end,
                                   shifted.step_s)
                found, before = wanted.result(), then.result()
            records = [found.record, before.record]
            candidate = _values(found, "candidate", params, records)
            baseline = _values(before, "baseline", params, records)
            notes.append(INDEPENDENCE_NOTE)
        limits = Limits(params.max_increase, params.max_decrease, params.significance)
        try:
            verdict = judge_change(candidate, baseline, limits)
        except ValueError as exc:
            raise CollectorError(str(exc), Evidence(queries=records, notes=notes)) from None
        if not isinstance(baseline, float):
            baseline_side = _side(before.record, baseline, verdict.baseline_median)
        details: dict[str, Any] = {
            "baseline_source": params.describe_baseline(),
            "candidate": _side(found.record, candidate, verdict.candidate_median),
            "baseline": baseline_side,
            "change": verdict.change, "max_increase": params.max_increase,
            "max_decrease": params.max_decrease, "significance": params.significance,
            "window": window.details(),
        }
        if verdict.test is not None:
            details.update(u=verdict.test.u, p=verdict.test.p,
                           effect_rank_biserial=round(verdict.test.rank_biserial, 4),
                           effect_superiority=round(verdict.test.superiority, 4),
                           sparkline=two_line_sparkline(candidate, baseline))  # type: ignore[arg-type]
        evidence = Evidence(queries=records, details=details, notes=notes)
        return Measurement(verdict.change, _message(verdict, params), evidence, verdict.status,
                           judged=True)

    def queries_to_check(self, gate: GateSpec) -> list[str]:
        params: CompareParams = gate.params
        queries = [params.side_query(params.candidate_matchers)]
        if params.baseline_matchers is not None:
            queries.append(params.side_query(params.baseline_matchers))
        return queries


def _shifted(window: RangeWindow, shift_s: float) -> RangeWindow:
    from datetime import timedelta

    delta = timedelta(seconds=shift_s)
    return RangeWindow(window.start - delta, window.end - delta, window.step_s,
                       window.configured_step_s, window.max_points)


def _values(result: QueryResult, side: str, params: CompareParams,
            records: list[QueryRecord]) -> list[float]:
    record = result.record
    span = f"from {_iso(record.start)} to {_iso(record.end)}"
    if len(result.series) > 1:
        raise CollectorError(
            f"the {side} query returns {len(result.series)} series; the compare gate needs "
            f"one per side: aggregate it (e.g. sum(...) or max(...))", Evidence(queries=records))
    values = [v for s in result.series for v in s.values if math.isfinite(v)]
    if not values:
        raise NoDataError(f"no {side} data: {record.promql} returned nothing {span}"
                          + (" (a baseline is required: no baseline is no pass)"
                             if side == "baseline" else ""), Evidence(queries=records))
    if len(values) < params.min_samples:
        raise NoDataError(
            f"too few {side} samples: {len(values)} < min_samples {params.min_samples} {span}",
            Evidence(queries=records))
    return values


def _side(record: QueryRecord, values: list[float], median: float) -> dict[str, Any]:
    return {"query": record.promql, "start": _iso(record.start), "end": _iso(record.end),
            "step_s": record.step_s, "samples": len(values), "median": median}


def _iso(moment: Any) -> str:
    return moment.isoformat().replace("+00:00", "Z") if moment is not None else "?"


def _message(verdict: Any, params: CompareParams) -> str:
    """The change and the judgement first (the text report cuts long lines), then the why."""
    unit = params.value_unit
    tolerance = ", ".join(part for part in (
        f"+{params.max_increase * 100:.3g}%" if params.max_increase is not None else "",
        f"-{params.max_decrease * 100:.3g}%" if params.max_decrease is not None else "") if part)
    if verdict.beyond is None:
        judged = f"within the tolerance {tolerance}"
    elif verdict.status.value == "fail":
        judged = f"regression: beyond {tolerance}" + (
            " and significant" if verdict.test is not None else "")
    else:
        judged = f"beyond {tolerance} but not significant: no regression, worth a look"
    text = (f"{verdict.change * 100:+.3g}% vs {params.describe_baseline()}: {judged}; median "
            f"{format_value(verdict.candidate_median, unit)} vs "
            f"{format_value(verdict.baseline_median, unit)}")
    if verdict.test is not None:
        test = verdict.test
        significant = "significant" if verdict.significant else "not significant"
        text += (f"; U={test.u:.4g}, p={test.p:.2g} ({significant} at "
                 f"{params.significance:g}), effect r={test.rank_biserial:+.2f}")
    return text
