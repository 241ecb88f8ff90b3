"""``soak_duration``: how long the release candidate has run without a restart, as of ``--at``.

Read from ``process_start_time_seconds`` of a selector: the soak is ``at`` minus the youngest
start among the selected instances, so a restart of any of them resets it. Restarts inside the
look-back window are listed (with the start before each, when known). Scrape coverage over the
soak (from ``up``, counted from the first scrape after the start, so a healthy target reads
100%) is evidence; below ``min_coverage`` the gate warns: a soak nobody watched is weak evidence.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field, field_validator

from gacheck.collectors.prometheus.client import client
from gacheck.collectors.prometheus.promql import step_range, with_matchers
from gacheck.collectors.prometheus.results import Series
from gacheck.collectors.prometheus.tsdb_floor import lowest_timestamp
from gacheck.collectors.prometheus.window import range_window
from gacheck.config.model import GateSpec, PositiveDuration
from gacheck.context import Context
from gacheck.core.errors import CollectorError, NoDataError
from gacheck.core.models import Evidence, Status
from gacheck.core.units import Unit, format_duration
from gacheck.gates.interface import GateKind, Measurement, Params
from gacheck.gates.soak_duration.bounds import check_against_tsdb, check_start_times, coverage_span
from gacheck.sli.sustained_inputs import Ratio
from gacheck.sli.sustained_text import stamp

CLOCK_SKEW_S = 60.0  # a start this little after --at is read as "just started"


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


def starts_in_window(series: list[Series], since: float, until: float) -> list[dict[str, Any]]:
    """Every start inside [since, until] per instance, with the start before it when that is
    known (its samples may lie before the window; the start is listed either way)."""
    rows = []
    for inst in sorted({_instance(s.labels) for s in series}):
        values = sorted({v for s in series if _instance(s.labels) == inst for v in s.values})
        for index, v in enumerate(values):
            if since <= v <= until:
                previous = stamp(values[index - 1]) if index else None
                rows.append({"at": stamp(v), "instance": inst, "previous": previous})
    return sorted(rows, key=lambda r: (r["at"], r["instance"]))


def scrape_coverage(start: float, step: float, count: int, series: Series) -> float:
    """Healthy share of the instants from the first one that saw a scrape after ``start``.

    Instant 0 looks at the step *before* the start, so it never counts; neither do the instants
    before the first scrape of the new process: a healthy target reads 100%.
    """
    import numpy as np

    times = np.asarray(series.timestamps, dtype=np.float64)
    index = np.rint((times - start) / step).astype(np.int64)
    inside = (index >= 1) & (index < count)
    if not inside.any():
        return 0.0
    # one verdict per instant, the last sample's (as Prometheus gives one per instant anyway)
    instants, last = np.unique(index[inside][::-1], return_index=True)
    healthy = (np.asarray(series.values, dtype=np.float64)[inside][::-1] == 1.0)[last]
    return float(healthy.sum()) / (count - int(instants[0]))


def _not_running(starts_sel: str, recent: list[Series], at: float, lookback: float) -> NoDataError:
    """No start time at ``--at``: say when the target was last seen, so "stopped" and "never
    scraped in the look-back" read differently."""
    seen = max((t for s in recent for t in s.timestamps), default=None)
    last = (f"; last seen {stamp(seen)}" if seen
            else f" in the last {format_duration(lookback)}")
    return NoDataError(f"no {starts_sel} at {stamp(at)}: the release candidate is not "
                       f"running or not scraped{last}")


def _youngest_start(
    started: dict[str, float], at: float, evidence: Evidence
) -> tuple[str, float]:
    """The instance that started last: its start bounds the soak. A start clearly after
    ``--at`` is an impossible value (an error), not a short soak."""
    youngest_instance, youngest = max(started.items(), key=lambda kv: kv[1])
    if youngest - at > CLOCK_SKEW_S:  # a negative soak is impossible, not a short one
        raise CollectorError(
            f"impossible value: {youngest_instance} started at {stamp(youngest)}, "
            f"{format_duration(youngest - at)} after --at {stamp(at)} (clock skew between "
            "the target and Prometheus, or a wrong process_start_time_seconds)",
            evidence=evidence)
    return youngest_instance, youngest


def _soak_message(
    started: dict[str, float], youngest_instance: str, youngest: float, at: float,
    lookback: float, recent: list[Series], coverage: float | None, min_coverage: float,
) -> tuple[str, Status | None]:
    """The message (start, restart inside the look-back, scrape coverage) and the status floor:
    ``warn`` when the coverage is below ``min_coverage``, as an unwatched soak is weak evidence."""
    import numpy as np

    message = f"running since {stamp(youngest)}"
    if len(started) > 1:
        message += f" ({youngest_instance}, the youngest of {len(started)} instances)"
    # A restart: an earlier start of the same instance, or of one that is gone now. Asked
    # of each series' array at once: a list of every earlier sample was 40 bytes a sample,
    # 320 MB for a raw read of 8 million.
    earlier = any(
        bool(np.any(np.asarray(s.values, dtype=np.float64) < youngest)) for s in recent
        if _instance(s.labels) == youngest_instance or _instance(s.labels) not in started)
    if at - lookback <= youngest:  # the start itself is in the window, seen or not before
        message += (f"; restarted inside the {format_duration(lookback)} window, which "
                    "reset the soak" if earlier else f"; started inside the "
                    f"{format_duration(lookback)} window (no earlier start is stored)")
    floor = None
    if coverage is not None and coverage < min_coverage:
        floor = Status.WARN
        message += (f"; scrape coverage {coverage:.1%} < {min_coverage:.0%}: "
                    "weak evidence, the soak was not watched throughout")
    elif coverage is not None:
        message += f"; scrape coverage {coverage:.1%}"
    return message, floor


class SoakDurationGate(GateKind):
    params: ClassVar[type[Params]] = SoakParams
    unit: ClassVar[Unit | None] = Unit.SECONDS
    non_negative: ClassVar[bool] = True  # a negative value is impossible: error
    default_threshold: ClassVar[dict[str, Any]] = {"min": "48h"}

    def evaluate(self, gate: GateSpec, ctx: Context) -> Measurement:
        params: SoakParams = gate.params
        prom = client(ctx)
        starts_sel = with_matchers("process_start_time_seconds", params.selector)
        lookback = params.window or ctx.config.settings.window
        step = params.step or ctx.config.settings.step
        at = ctx.at.timestamp()
        current = prom.instant(starts_sel, ctx.at)
        recent = prom.samples(starts_sel, ctx.at, lookback)
        queries = [current.record, recent.record]
        restart_list = starts_in_window(recent.series, at - lookback, at)
        if not current.series:
            raise _not_running(starts_sel, recent.series, at, lookback)
        started = {_instance(s.labels): s.values[-1] for s in current.series}
        check_start_times(started, starts_sel, Evidence(queries=queries))
        youngest_instance, youngest = _youngest_start(started, at, Evidence(queries=queries))
        soak = max(0.0, at - youngest)
        notes: list[str] = []
        coverage = None
        per_instance: dict[str, float] = {}
        span = coverage_span(soak, lookback)
        if span < soak:  # a long soak: is its start inside what Prometheus holds?
            lowest = ctx.shared("prometheus:lowest", lambda: lowest_timestamp(prom))
            older = check_against_tsdb(youngest_instance, youngest, lowest, at, lookback,
                                       Evidence(queries=queries))
            notes += [older] if older else []
            notes.append(f"scrape coverage over the last {format_duration(span)} of the soak "
                         "(the look-back window and its margin)")
        if soak > 0:
            window = range_window(ctx.at, span, step, prom.settings.max_points)
            # min_over_time over one step: each instant says whether every scrape in the step
            # before it succeeded (1), one failed (0), or nothing was scraped (no sample).
            up = prom.range(f"min_over_time({with_matchers('up', params.selector)}"
                            f"[{step_range(window.step_s)}])", window.start, window.end,
                            window.step_s)
            queries.append(up.record)
            if window.note():
                notes.append(window.note() or "")
            for s in up.series:
                per_instance[_instance(s.labels)] = scrape_coverage(
                    window.start.timestamp(), window.step_s, window.points, s)
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
        message, floor = _soak_message(started, youngest_instance, youngest, at, lookback,
                                       recent.series, coverage, params.min_coverage)
        if soak == 0 and youngest > at:
            notes.append(f"the start time {stamp(youngest)} is after --at: clock skew?")
        evidence = Evidence(queries=queries, notes=notes, details=details)
        return Measurement(soak, message, evidence, floor)

    def queries_to_check(self, gate: GateSpec) -> list[str]:
        return [with_matchers("process_start_time_seconds", gate.params.selector)]

