"""``soak_duration``: how long the release candidate has run without a restart, as of ``--at``.

Read from ``process_start_time_seconds`` of a selector: the soak is ``at`` minus the youngest
start among the selected instances, so a restart of any of them resets it. Restarts inside the
look-back window are listed. Scrape coverage over the soak (from ``up``) is evidence; below
``min_coverage`` the gate warns: a soak nobody watched is weak evidence.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field, field_validator

from gacheck.collectors.prometheus import client
from gacheck.collectors.prometheus_window import range_window
from gacheck.config import GateSpec, PositiveDuration
from gacheck.context import Context
from gacheck.errors import GateError, NoDataError
from gacheck.gates.interface import Measurement, Params
from gacheck.models import Evidence, Status
from gacheck.sli.promql import duration, with_matchers
from gacheck.sli.sustained import Ratio, stamp
from gacheck.units import Unit, format_duration


class SoakParams(Params):
    selector: str = Field(default='{job="lukhas-facade"}', description="label matchers in braces")
    window: PositiveDuration | None = Field(
        default=None, description="restart look-back; default: window"
    )
    step: PositiveDuration | None = Field(default=None, description="default: settings.step")
    min_coverage: Ratio = Field(default=0.9, ge=0, le=1)

    @field_validator("selector")
    @classmethod
    def _braces(cls, value: str) -> str:
        text = value.strip()
        if not (text.startswith("{") and text.endswith("}")):
            raise ValueError('expected label matchers in braces, like {job="lukhas-facade"}')
        return text


def _instance(labels: dict[str, str]) -> str:
    return labels.get("instance") or labels.get("pod") or "{}"


_LATEST_START = 253402300799.0  # 9999-12-31T23:59:59Z: the last instant a timestamp can name


def _check_start_times(started: dict[str, float], selector: str, evidence: Evidence) -> None:
    """A start time that is NaN, infinite or outside the calendar is a broken exporter, not a
    soak: an ``error`` that says so (and keeps the queries to look at it)."""
    broken = {i: v for i, v in started.items() if not (0 <= v <= _LATEST_START)}
    if broken:
        shown = ", ".join(f"{i}: {v!r}" for i, v in sorted(broken.items())[:5])
        raise GateError(
            f"{selector} is not a start time ({shown}): the exporter reports an impossible "
            "value, so the soak cannot be measured", evidence
        )


class SoakDurationGate:
    params: ClassVar[type[Params]] = SoakParams
    unit: ClassVar[Unit | None] = Unit.SECONDS
    default_threshold: ClassVar[dict[str, Any]] = {"min": "48h"}

    def evaluate(self, gate: GateSpec, ctx: Context) -> Measurement:
        params: SoakParams = gate.params
        prom = client(ctx)
        starts_sel = with_matchers("process_start_time_seconds", params.selector)
        lookback = params.window or ctx.config.settings.window
        step = params.step or ctx.config.settings.step
        at = ctx.at.timestamp()
        current = prom.instant(starts_sel, ctx.at)
        recent = prom.instant(f"{starts_sel}[{duration(lookback)}]", ctx.at)
        queries = [current.record, recent.record]
        restarts = sorted({(v, _instance(s.labels)) for s in recent.series for v in s.values
                           if at - lookback <= v <= at})
        restart_list = [{"at": stamp(v), "instance": inst} for v, inst in restarts]
        if not current.series:
            seen = max((t for s in recent.series for t in s.timestamps), default=None)
            last = (f"; last seen {stamp(seen)}" if seen
                    else f" in the last {format_duration(lookback)}")
            raise NoDataError(f"no {starts_sel} at {stamp(at)}: the release candidate is not "
                              f"running or not scraped{last}")
        started = {_instance(s.labels): s.values[-1] for s in current.series}
        _check_start_times(started, starts_sel, Evidence(queries=queries))
        youngest_instance, youngest = max(started.items(), key=lambda kv: kv[1])
        soak = max(0.0, at - youngest)
        notes: list[str] = []
        coverage = None
        per_instance: dict[str, float] = {}
        if soak > 0:
            window = range_window(ctx.at, soak, step, prom.settings.max_points)
            up = prom.range(with_matchers("up", params.selector), window.start, window.end,
                            window.step_s)
            queries.append(up.record)
            if window.note():
                notes.append(window.note() or "")
            for s in up.series:
                healthy = sum(1 for v in s.values if v == 1.0)
                per_instance[_instance(s.labels)] = healthy / window.points
            coverage = min((per_instance.get(i, 0.0) for i in started), default=0.0)
        details = {
            "selector": params.selector, "soak_s": soak, "soak": format_duration(soak),
            "running_since": stamp(youngest), "lookback": format_duration(lookback),
            "youngest_instance": youngest_instance,
            "instances": [
                {"instance": i, "started": stamp(v), "soak_s": max(0.0, at - v),
                 "scrape_coverage": per_instance.get(i)}
                for i, v in sorted(started.items())
            ],
            "restarts_in_window": restart_list, "lookback_s": lookback,
            "scrape_coverage": coverage, "min_coverage": params.min_coverage,
        }
        message = f"running since {stamp(youngest)}"
        if len(started) > 1:
            message += f" ({youngest_instance}, the youngest of {len(started)} instances)"
        # A restart: an earlier start of the same instance, or of one that is gone now.
        earlier = [v for s in recent.series for v in s.values if v < youngest and (
            _instance(s.labels) == youngest_instance or _instance(s.labels) not in started)]
        if earlier and at - lookback <= youngest:
            message += (f"; restarted inside the {format_duration(lookback)} window, "
                        "which reset the soak")
        floor = None
        if coverage is not None and coverage < params.min_coverage:
            floor = Status.WARN
            message += (f"; scrape coverage {coverage:.1%} < {params.min_coverage:.0%}: "
                        "weak evidence, the soak was not watched throughout")
        elif coverage is not None:
            message += f"; scrape coverage {coverage:.1%}"
        if soak == 0 and youngest > at:
            notes.append(f"the start time {stamp(youngest)} is after --at: clock skew?")
        evidence = Evidence(queries=queries, notes=notes, details=details)
        return Measurement(soak, message, evidence, floor)

    def queries_to_check(self, gate: GateSpec) -> list[str]:
        return [with_matchers("process_start_time_seconds", gate.params.selector)]

