"""Lab histories for relative judgement: a candidate against a baseline, and SLO budgets.

Kept apart from ``scenarios.SCENARIOS`` (whose entries are checked against the default
config's nine gates); ``scenarios.get`` finds these too. ``facts`` hold what a correct
``compare`` or ``error_budget`` gate concludes, and the numbers to check it against.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import numpy as np

from gacheck.promlab.model import FAST, LatencyChange, LatencyProfile, Part, Plan, Traffic, Window
from gacheck.promlab.scenarios import SCENARIOS, Scenario, h

MINUTE = timedelta(minutes=1)
FAST_P95 = FAST.quantile(0.95)  # 7.78 ms, inside the 5-10 ms bucket


def with_p95(target: float) -> LatencyProfile:
    """FAST with its 5-25 ms shares moved so that histogram_quantile(0.95) reads ``target``
    exactly (linear inside a bucket), for targets between 5 and 17.5 ms."""
    shares = list(FAST.cumulative)  # 1, 5, 10, 25 ms ... edges; F(5ms) 0.90, F(10ms) 0.99
    if 0.005 < target <= 0.0095:  # move F(5ms): p95 = 5 + 5 (0.95 - F5) / (0.99 - F5) ms
        k = (target - 0.005) / 0.005
        shares[1] = (0.95 - k * shares[2]) / (1 - k)
    elif 0.0095 < target <= 0.010:  # move F(10ms) instead
        shares[2] = 0.90 + 0.05 * 0.005 / (target - 0.005)
    elif 0.010 < target < 0.0175:
        k = (target - 0.010) / 0.015
        shares[2] = (0.95 - k * shares[3]) / (1 - k)
    else:
        raise ValueError(f"target p95 {target} outside 5-17.5 ms")
    return LatencyProfile(tuple(shares), FAST.mean_seconds * target / FAST_P95)


def noisy(window: Window, p95: float, sigma: float, seed: int, outcome: str | None,
          piece: timedelta = timedelta(minutes=30)) -> tuple[LatencyChange, ...]:
    """``window`` cut in pieces whose p95 is ``p95`` times a lognormal(0, sigma) factor."""
    rng = np.random.default_rng(seed)
    changes, start = [], window.start
    while start > window.stop:
        stop = max(window.stop, start - piece)
        target = p95 * float(rng.lognormal(0.0, sigma))
        changes.append(LatencyChange(Window(start, stop), with_p95(target), outcome))
        start = stop
    return tuple(changes)


def _bad_share(bad: float) -> LatencyProfile:
    """A profile with ``bad`` of the requests slower than 25 ms (the latency SLO's bad events)."""
    good = 1.0 - bad
    return LatencyProfile((min(0.25, good), min(0.75, good), min(0.85, good), good,
                           good + bad * 0.5, good + bad * 0.8, 1.0, 1.0, 1.0), 0.02)


#: Latency SLO of the budget scenarios: good = at most 25 ms; FAST has 0.2% slower than that.
GOOD_SHARE_FAST = FAST.cumulative[3]
INCIDENT = _bad_share(0.50)
LEAK = _bad_share(0.07)
DEGRADED = _bad_share(0.10)

_SLO_TRAFFIC = Traffic(diurnal=False, scopes=("chat",), routes=("/v1/chat/completions",))
_SLO = Plan(duration=h(96), seed=41, interval=MINUTE, process_age=h(120), traffic=_SLO_TRAFFIC,
            other_jobs=())
_WEEKS = Plan(duration=timedelta(days=14), seed=31, interval=MINUTE,
              process_age=timedelta(days=15), other_jobs=(),
              traffic=Traffic(latency_changes=(
                  *noisy(Window(timedelta(days=14), timedelta(days=7)), FAST_P95, 0.04, 1,
                         "allow"),
                  *noisy(Window(timedelta(days=7)), FAST_P95 * 1.30, 0.04, 2, "allow"),
                  *noisy(Window(timedelta(days=14), timedelta(days=7)), FAST_P95, 0.04, 3,
                         "deny"),
                  *noisy(Window(timedelta(days=7)), FAST_P95 * 1.03, 0.04, 4, "deny"))))
_GA_BESIDE = Plan(duration=h(50), seed=33, interval=MINUTE, process_age=h(400), other_jobs=(),
                  job="lukhas-facade-ga", instance="lukhas-facade-ga-0:8000",
                  labels=(("version", "0.8.4"),),
                  traffic=Traffic(peak_rps=100.0, latency_changes=noisy(
                      Window(h(50)), FAST_P95, 0.03, 5, None)))

RELATIVE_SCENARIOS: dict[str, Scenario] = {s.name: s for s in (
    Scenario(
        "compare_weeks",
        "14 days at 1-minute scrapes of one façade. Allowed decisions: p95 ~7.8 ms the first "
        "week, 30% slower (~10.1 ms) the last 7 days; denied ones: 3% slower the last week. "
        "Both vary every 30 minutes (lognormal, sigma 4%).",
        _WEEKS, {}, {"allow_change": 0.30, "deny_change": 0.03, "history": timedelta(days=14)},
        rules=False,
    ),
    Scenario(
        "compare_versions",
        "Two versions side by side for 50h: the RC (version=\"0.9.0-rc\", job lukhas-facade) "
        "denies 0.52% of decisions, 30% more than the GA (version=\"0.8.4\", job "
        "lukhas-facade-ga) at 0.4%; both have the same p95 (~7.8 ms, noisy).",
        Plan(duration=h(50), seed=32, interval=MINUTE, process_age=h(50), other_jobs=(),
             labels=(("version", "0.9.0-rc"),),
             traffic=Traffic(deny_ratio=0.0052, latency_changes=noisy(
                 Window(h(50)), FAST_P95, 0.03, 6, None))),
        {}, {"deny_change": 0.30}, rules=False, parts=(Part(_GA_BESIDE),),
    ),
    Scenario(
        "budget_fast_burn",
        "96h of a latency SLO (good: ≤ 25 ms; 0.2% bad normally) with a 1-hour incident "
        "10h before the end in which half the requests are slower: a 50x burn.",
        replace(_SLO, traffic=replace(_SLO_TRAFFIC, latency_changes=(
            LatencyChange(Window(h(10), h(9)), INCIDENT),))),
        {}, {"incident": Window(h(10), h(9)), "bad_share": 0.5,
             "error_ratio_72h": (0.002 * 71 + 0.5 * 1) / 72}, rules=False,
    ),
    Scenario(
        "budget_slow_leak",
        "96h of the latency SLO with a leak over the last 6 hours: 7% of the requests slower "
        "than 25 ms (7x the budget of a 99% objective): the 6h/30m pair fires, 1h/5m does not.",
        replace(_SLO, seed=42, traffic=replace(_SLO_TRAFFIC, latency_changes=(
            LatencyChange(Window(h(6)), LEAK),))),
        {}, {"leak": Window(h(6)), "bad_share": 0.07,
             "error_ratio_72h": (0.002 * 66 + 0.07 * 6) / 72}, rules=False,
    ),
    Scenario(
        "budget_gaps",
        "96h of the latency SLO; Prometheus scraped nothing from 40h to 34h before the end "
        "while the façade kept serving, with 10% bad requests from 38h to 36h (inside the "
        "gap); the façade restarted 20h before the end (counters reset).",
        replace(_SLO, seed=43, gaps=(Window(h(40), h(34)),), restarts=(h(20),),
                serving_in_gaps=True, traffic=replace(_SLO_TRAFFIC, latency_changes=(
                    LatencyChange(Window(h(38), h(36)), DEGRADED),))),
        {}, {"gap": Window(h(40), h(34)), "restart": h(20), "bad_share": 0.10,
             "error_ratio_72h": (0.002 * 70 + 0.10 * 2) / 72}, rules=False,
    ),
)}


def _demo_relative() -> Scenario:
    """The demo's history, plus what its relative gates compare: last week's soak of the GA
    version (the ``offset 7d`` baseline) and the GA version serving beside the RC."""
    demo = SCENARIOS["demo"]
    previous = Plan(duration=h(52), seed=34, interval=MINUTE, process_age=h(60), other_jobs=(),
                    labels=(("version", "0.8.4"),), traffic=Traffic(latency_changes=noisy(
                        Window(h(52)), FAST_P95, 0.03, 7, None)))
    return replace(
        demo, plan=replace(demo.plan, labels=(("version", "0.9.0-rc"),)),
        summary=demo.summary + " Beside it: the GA version 0.8.4 (job lukhas-facade-ga, "
        "p95 ~7.8 ms, denial rate ~0.4%), and last week's 52h soak of 0.8.4 ending 7 days ago "
        "(1-minute scrapes) as the week-over-week baseline.",
        name="demo_relative", parts=(Part(_GA_BESIDE), Part(previous, timedelta(days=7))))


RELATIVE_SCENARIOS["demo_relative"] = _demo_relative()
