"""The outcome of a sustained SLI from its judged series: which series decides, and how.

A sure breach on well-evidenced series fails whatever else is missing; then thin series make
the gate ``no_data``; a breach that rests on instants whose side of the threshold is unknown
warns; otherwise the worst series' sustained level is the value.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from gacheck.collectors.prometheus.results import QueryResult, Series
from gacheck.collectors.prometheus.window import RangeWindow
from gacheck.config.model import GateSpec
from gacheck.core.measurement import Measurement
from gacheck.core.models import Evidence, QueryRecord, Status
from gacheck.sli.breach import Grid
from gacheck.sli.series_evidence import SeriesEvidence, shortfall
from gacheck.sli.sustained_inputs import Resolution, Resolver, SustainedParams
from gacheck.sli.sustained_text import describe, fail_message, plain, series_details

SERIES_SHOWN = 50
INFINITE_STAND_IN = 1e15


@dataclass
class Answer:
    """The range query's answer and what the evidence records around it. ``after`` and
    ``info`` still grow while the series are judged (a bucket resolution's queries)."""

    window: RangeWindow
    result: QueryResult
    before: list[QueryRecord]
    blind: list[QueryRecord]
    after: list[QueryRecord]
    notes: list[str]
    info: dict[str, Any]
    resolver: Resolver | None

    def evidence(self, extra: dict[str, Any]) -> Evidence:
        return Evidence(queries=[*self.before, *self.blind, self.result.record, *self.after],
                        notes=self.notes, details={**self.info, **extra})


@dataclass(frozen=True)
class Judging:
    """What deciding a gate from its judged series needs."""

    params: SustainedParams
    gate: GateSpec
    grid: Grid
    judged: list[tuple[Series, SeriesEvidence]]
    upper: bool
    resolution: Resolution | None
    idle_means: str

    @property
    def many(self) -> bool:
        return len(self.judged) > 1

    def badness(self, level: float | None) -> float:
        return -math.inf if level is None else (1.0 if self.upper else -1.0) * level


def shown_rows(judging: Judging) -> list[dict[str, Any]]:
    """The series the evidence shows: all, or the worst ``SERIES_SHOWN`` in label order."""
    judged = judging.judged
    kept = judged
    if len(judged) > SERIES_SHOWN:
        by_worst = sorted(judged, key=lambda sj: judging.badness(sj[1].possible.level),
                          reverse=True)
        worst_ids = {id(sj) for sj in by_worst[:SERIES_SHOWN]}
        kept = [sj for sj in judged if id(sj) in worst_ids]
    return [series_details(s.name(), ev, judging.grid.step) for s, ev in kept]


def decide(judging: Judging, answer: Answer, base: dict[str, Any]) -> Measurement:
    """The gate's outcome from well-covered series: a sure breach fails whatever else is
    missing; then thin series make it ``no_data``; a breach that rests on instants whose side
    is unknown warns; otherwise the worst series' level is the value."""
    params, judged, many = judging.params, judging.judged, judging.many
    thin = [(s, ev, why) for s, ev in judged
            if (why := shortfall(ev, judging.grid.step, params.min_coverage, params.min_active))]
    thin_ids = {id(ev) for _, ev, _ in thin}
    sound = [(s, ev) for s, ev in judged if id(ev) not in thin_ids]
    failed = [(s, ev) for s, ev in sound if ev.sure.sustained]
    if failed:  # a breach proven on sound evidence fails whatever else is missing
        worst_series, worst = max(failed, key=lambda sj: judging.badness(sj[1].sure.level))
        base["worst_series"] = worst_series.name()
        message = fail_message(worst_series, worst.sure, many, params.max_breach,
                               params.max_breach_ratio)
        if thin:
            message += f"; {len(thin)} other series too thin to judge"
        return finish(worst.sure.level, message, answer.evidence(base), None)
    if thin:
        least = min(thin, key=lambda t: (t[1].coverage, t[1].active_share))
        base["thin_series"] = [s.name() for s, _, _ in thin]
        more = f" ({len(thin)} of {len(judged)} series too thin)" if many else ""
        idle = (f"; idle means {judging.idle_means}"
                if least[1].coverage >= params.min_coverage else "")
        named = f"{least[0].name()}: " if many else ""
        return Measurement(None, f"too little evidence: {named}{least[2]}{idle}{more}",
                           answer.evidence(base), Status.NO_DATA)
    return decide_sound(judging, answer, base)


def decide_sound(judging: Judging, answer: Answer, base: dict[str, Any]) -> Measurement:
    """Every series well evidenced and none surely sustained a breach."""
    params, judged, resolution = judging.params, judging.judged, judging.resolution
    sign = 1.0 if judging.upper else -1.0
    sure_level = max((ev.sure.level for _, ev in judged if ev.sure.level is not None),
                     key=lambda v: sign * v)
    unsure = [(s, ev) for s, ev in judged if ev.possible.sustained]
    if unsure and resolution is not None:
        worst_series, worst = max(unsure, key=lambda sj: sj[1].indeterminate)
        base["worst_series"] = worst_series.name()
        possibly = fail_message(worst_series, worst.possible, False, params.max_breach,
                                params.max_breach_ratio)
        message = (f"indeterminate: {resolution.note} (the buckets cannot tell which side of "
                   f"the threshold {worst.indeterminate} of {worst.active} valued instants "
                   f"{'of ' + worst_series.name() + ' ' if judging.many else ''}are on, and "
                   f"the breach rests on them: if they all breach, {possibly})")
        return finish(sure_level, message, answer.evidence(base), Status.WARN)
    valued = [(s, ev) for s, ev in judged if ev.possible.level is not None]
    worst_series, worst = max(valued, key=lambda sj: judging.badness(sj[1].possible.level))
    base["worst_series"] = worst_series.name()
    message, floor = describe(judging.gate.unit, worst_series, worst.possible,
                              [(s, ev.possible) for s, ev in judged])
    if resolution is not None and any(ev.indeterminate for _, ev in judged):
        message += f"; {resolution.note}"
    return finish(worst.possible.level, message, answer.evidence(base), floor)


def finish(level: float | None, message: str, evidence: Evidence,
           floor: Status | None) -> Measurement:
    value = level
    if value is not None and math.isinf(value):
        # JSON has no infinity and durations cannot show one: a huge finite level stands in.
        value = math.copysign(INFINITE_STAND_IN, value)
        message += f" (the sustained level is {plain(level)})"
    return Measurement(value, message, evidence, floor)
