"""Turn a ``Plan`` into the series Prometheus would have stored, as arrays (seeded, exact).

Counters are integers that only grow, except when the process restarts (they start again
from zero, as prometheus_client's do). Histogram buckets are cumulative in ``le`` and ``+Inf``
equals ``_count``; observations are rounded to whole ones per bucket before they are summed up
the edges, so the buckets' increases are monotonic in ``le`` too. Nothing at all is written
while Prometheus was down (a gap); while the façade restarts, ``up`` is 0 for one scrape and
its own metrics are missing.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np

from gacheck.promlab.model import LatencyProfile, Plan
from gacheck.promlab.openmetrics import format_le
from gacheck.promlab.series import (
    Family,
    Grid,
    Series,
    counter,
    cumulative_float,
    in_windows,
    keep,
)

ALERT_EVALUATION_SECONDS = 30  # LUKHAS' rule groups evaluate every 30 s


def generate(plan: Plan, end: datetime) -> list[Family]:
    """Every family the plan writes, ending exactly at ``end`` (whole seconds)."""
    if plan.services:
        from gacheck.promlab.services import generate_services

        return generate_services(plan, end, generate)
    grid = Grid(plan, int(end.timestamp()))
    rng = np.random.default_rng(plan.seed)
    families = [_up(plan, grid), _process_start(plan, grid)]
    if plan.traffic is not None:
        families += _guardian(plan, grid, rng)
    if plan.alerts:
        families.append(_alerts(plan, grid))
    if plan.self_monitoring:
        families += _self_monitoring(plan, grid)
    if plan.facade_http is not None:
        from gacheck.promlab.facade_http import facade_families

        families += facade_families(plan, grid)
    return families


def _up(plan: Plan, grid: Grid) -> Family:
    series = [Series("up", {"job": plan.job, "instance": plan.instance},
                     *keep(grid, grid.scraped, np.where(grid.down, 0, 1)))]
    for job, _age in plan.other_jobs:
        series.append(Series("up", {"job": job, "instance": f"{job}-0:9100"},
                             *keep(grid, grid.scraped, np.ones(grid.t.shape, dtype=np.int64))))
    if plan.self_monitoring:
        series.append(Series("up", {"job": "prometheus", "instance": "localhost:9090"},
                             *keep(grid, grid.scraped, np.ones(grid.t.shape, dtype=np.int64))))
    return Family("up", "gauge", "1 if the target was scraped successfully", tuple(series))


def _process_start(plan: Plan, grid: Grid) -> Family:
    first = grid.end - int(plan.first_started.total_seconds())
    starts = [first] + [grid.end - int(r.total_seconds()) for r in sorted(plan.restarts,
                                                                           reverse=True)]
    values = np.asarray(starts, dtype=np.int64)[grid.segment]
    series = [Series("process_start_time_seconds", {"job": plan.job, "instance": plan.instance},
                     *keep(grid, grid.alive, values))]
    for job, age in plan.other_jobs:
        constant = np.full(grid.t.shape, grid.end - int(age.total_seconds()), dtype=np.int64)
        series.append(Series("process_start_time_seconds",
                             {"job": job, "instance": f"{job}-0:9100"},
                             *keep(grid, grid.scraped, constant)))
    return Family("process_start_time_seconds", "gauge",
                  "Start time of the process since unix epoch in seconds.", tuple(series))


def _guardian(plan: Plan, grid: Grid, rng: np.random.Generator) -> list[Family]:
    traffic = plan.traffic
    assert traffic is not None
    hour = (grid.t % 86400) / 3600.0
    shape = 0.6 + 0.4 * np.sin(2 * np.pi * (hour - 9) / 24) if traffic.diurnal else 1.0
    rps = traffic.peak_rps * shape * rng.lognormal(0.0, 0.12, grid.t.shape)
    serving = ~grid.down if plan.serving_in_gaps else grid.alive
    rps[in_windows(grid.t, grid.end, traffic.idle) | ~serving] = 0.0
    requests = rps * grid.step
    deny = np.full(grid.t.shape, traffic.deny_ratio) * rng.uniform(0.85, 1.15, grid.t.shape)
    for window, ratio in traffic.deny_spikes:
        deny[in_windows(grid.t, grid.end, (window,))] = ratio
    share = {"allow": 1.0 - deny, "deny": deny}
    pairs = [(s, r) for s in traffic.scopes for r in traffic.routes]
    weights = rng.dirichlet(np.full(len(pairs), 4.0))
    offset_steps = 2000.0  # the process had been serving before the history starts

    decisions, histograms, p95 = [], [], {}
    base = {"job": plan.job, "instance": plan.instance, **dict(plan.labels)}
    for outcome in ("allow", "deny"):
        per_outcome = requests * share[outcome]
        offset = float(per_outcome.mean()) * offset_steps
        for (scope, route), weight in zip(pairs, weights, strict=True):
            labels = {**base, "outcome": outcome, "scope": scope, "route": route}
            values = counter(per_outcome * weight, grid.segment, offset * weight)
            decisions.append(Series("lukhas_guardian_decision_total", labels,
                                    *keep(grid, grid.alive, values)))
        latency, p95[outcome] = _latency_histogram(
            traffic, outcome, grid, {**base, "outcome": outcome}, per_outcome, offset)
        histograms += latency
    families = [
        Family("lukhas_guardian_decision", "counter", "Guardian policy decisions",
               tuple(decisions)),
        Family(_HIST, "histogram", "Guardian decision latency", tuple(histograms)),
    ]
    if plan.recording_rules:
        families += _recorded(plan, grid, rps, deny, p95)
    return families


def _latency_histogram(
    traffic, outcome: str, grid: Grid, labels: dict[str, str], per_outcome: np.ndarray,
    offset: float,
) -> tuple[list[Series], np.ndarray]:
    """The decision-latency histogram of one ``outcome`` (buckets, ``+Inf``, sum and count,
    from ``per_outcome`` requests per scrape) and its exact p95 per scrape, which the
    recording rules store. ``traffic`` is the plan's ``model.Traffic``."""
    profiles, chosen = _profiles(traffic, outcome, grid)
    edges = profiles[0].edges
    if any(p.edges != edges for p in profiles):
        raise ValueError(f"the latency profiles of {outcome!r} use different bucket edges")
    exported = grid.alive & ~in_windows(grid.t, grid.end, tuple(
        w for o, w in traffic.histogram_gaps if o == outcome))
    # Whole observations per bucket, then summed up the edges: every bucket's increase is
    # an integer ≥ the one below it, so the buckets stay monotonic in le for any rate range.
    shares = np.asarray([(*p.cumulative, 1.0) for p in profiles])[chosen]
    within = np.diff(shares, axis=1, prepend=0.0)
    first = np.diff((0.0, *profiles[0].cumulative, 1.0))
    # Rounded to the nearest whole observation (0.5), not down: buckets whose shares are
    # multiples of each other then gain their observations apart, not at the same instant.
    phase = np.full(within.shape[1], 0.5)
    stacked = np.cumsum([counter(per_outcome * within[:, k], grid.segment,
                                  offset * first[k] + phase[k])
                         for k in range(within.shape[1])], axis=0)
    histograms = []
    for k, edge in enumerate(edges):
        histograms.append(Series(f"{_HIST}_bucket", {**labels, "le": format_le(edge)},
                                 *keep(grid, exported, stacked[k])))
    count = stacked[-1]
    means = np.asarray([p.mean_seconds for p in profiles])[chosen]
    total = np.round(cumulative_float(per_outcome * means, grid.segment,
                                       offset * profiles[0].mean_seconds), 6)
    histograms += [
        Series(f"{_HIST}_bucket", {**labels, "le": "+Inf"}, *keep(grid, exported, count)),
        Series(f"{_HIST}_sum", labels, *keep(grid, exported, total)),
        Series(f"{_HIST}_count", labels, *keep(grid, exported, count)),
    ]
    return histograms, np.asarray([p.quantile(0.95) for p in profiles])[chosen]


def _profiles(traffic, outcome: str, grid: Grid) -> tuple[list[LatencyProfile], np.ndarray]:
    """The distinct latency profiles of ``outcome`` and, per scrape, which one applies."""
    profiles = [traffic.latency[outcome]]
    chosen = np.zeros(grid.t.shape, dtype=np.int64)
    for change in traffic.latency_changes:
        if change.outcome in (None, outcome):
            profiles.append(change.profile)
            chosen[in_windows(grid.t, grid.end, (change.window,))] = len(profiles) - 1
    return profiles, chosen


def _recorded(plan: Plan, grid: Grid, rps: np.ndarray, deny: np.ndarray,
              p95: dict[str, np.ndarray]) -> list[Family]:
    """What LUKHAS' recording rules would have stored: NaN (0/0) where there was no traffic."""
    idle = rps <= 0
    ratio = np.where(idle, np.nan, np.round(deny, 6))
    families = [Family("guardian:denial_rate:ratio", "gauge", "",
                       (Series("guardian:denial_rate:ratio", {}, *keep(grid, grid.scraped,
                                                                          ratio)),))]
    series = tuple(
        Series("guardian:pdp_latency:p95", {"outcome": outcome},
               *keep(grid, grid.scraped, np.where(idle, np.nan, np.round(values, 6))))
        for outcome, values in p95.items()
    )
    families.append(Family("guardian:pdp_latency:p95", "gauge", "", series))
    return families


def _alerts(plan: Plan, grid: Grid) -> Family:
    """The ``ALERTS`` series as the rule manager writes them, one per alert and state."""
    step = ALERT_EVALUATION_SECONDS
    start = int(grid.t[0])
    t = grid.end - np.arange((grid.end - start) // step + 1, dtype=np.int64)[::-1] * step
    ago = grid.end - t
    evaluated = ~in_windows(t, grid.end, plan.gaps) & ~in_windows(t, grid.end, plan.rule_stalls)
    by_labels: dict[tuple[tuple[str, str], ...], np.ndarray] = {}
    for episode in plan.alerts:
        firing_from = episode.firing.total_seconds() if episode.firing else None
        states = [("pending", episode.pending.total_seconds(),
                   firing_from if firing_from is not None else episode.resolved.total_seconds())]
        if firing_from is not None:
            states.append(("firing", firing_from, episode.resolved.total_seconds()))
        for state, since, until in states:
            key = (("alertname", episode.name), ("alertstate", state),
                   ("severity", episode.severity), *episode.labels)
            mask = (ago <= since) & (ago > until) & evaluated
            by_labels[key] = by_labels.get(key, np.zeros(t.shape, dtype=bool)) | mask
    series = tuple(Series("ALERTS", dict(key), t[mask], np.ones(int(mask.sum()), dtype=np.int64))
                   for key, mask in sorted(by_labels.items()) if mask.any())
    return Family("ALERTS", "gauge", "", series)


RULE_GROUP = "/etc/prometheus/rules/lukhas.yml;lukhas-guardian"


def _self_monitoring(plan: Plan, grid: Grid) -> list[Family]:
    """What Prometheus' scrape of itself stores besides ``up``: its rule group's gauges.

    The last evaluation is the latest 30 s tick before each scrape, frozen through a rule stall.
    """
    step = ALERT_EVALUATION_SECONDS
    ticks = (grid.t // step) * step
    stalled = in_windows(grid.t, grid.end, plan.rule_stalls)
    last = ticks.copy()
    for i in range(1, len(last)):
        if stalled[i]:
            last[i] = last[i - 1]
    me = {"job": "prometheus", "instance": "localhost:9090"}
    group = {**me, "rule_group": RULE_GROUP}
    ones = np.ones(grid.t.shape, dtype=np.int64)
    return [
        Family("prometheus_rule_group_interval_seconds", "gauge", "", (Series(
            "prometheus_rule_group_interval_seconds", group,
            *keep(grid, grid.scraped, ones * step)),)),
        Family("prometheus_rule_group_last_evaluation_timestamp_seconds", "gauge", "", (Series(
            "prometheus_rule_group_last_evaluation_timestamp_seconds", group,
            *keep(grid, grid.scraped, last)),)),
    ]


_HIST = "lukhas_guardian_decision_duration_seconds"
