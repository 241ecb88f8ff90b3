"""Named, seeded histories shaped like LUKHAS', each with what a correct gate must conclude.

Every scenario ends at the instant it is built for (the evaluation instant of the test or the
demo). ``expected`` maps the default config's gate ids to the status a correct gate gives when
evaluated at that end with the default config (window 48h, step 1m, threshold of the seed
plan); ``facts`` holds what the evidence should show, as durations before the end.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

from gacheck.promlab.model import (
    COARSE_FAST,
    FAST,
    SLOW,
    SPIKE,
    AlertEpisode,
    FacadeHttp,
    LatencyChange,
    Part,
    Plan,
    Traffic,
    Window,
)

SOAK, ALERTS, DENIAL, P95 = (
    "soak_duration", "critical_alerts", "guardian_denial_rate", "pdp_p95_latency")


def h(hours: float, minutes: float = 0) -> timedelta:
    return timedelta(hours=hours, minutes=minutes)


@dataclass(frozen=True)
class Scenario:
    name: str
    summary: str
    plan: Plan
    expected: Mapping[str, str]
    facts: Mapping[str, Any] = field(default_factory=dict)
    rules: bool = True  # load LUKHAS-shaped alerting rules (critical, warning, page)
    failing_rule: bool = False  # also a critical rule whose evaluation always fails
    parts: tuple[Part, ...] = ()  # more history in the same server (gacheck.promlab.compose)


_ALL_PASS = {SOAK: "pass", ALERTS: "pass", DENIAL: "pass", P95: "pass"}
_HEALTHY = Plan(duration=h(52), seed=11, process_age=h(50), recording_rules=True)

_CRITICAL_IN_WINDOW = AlertEpisode("CriticalGuardianDenialRate", "critical", pending=h(12, 5),
                                   firing=h(12), resolved=h(11, 30),
                                   labels=(("job", "lukhas-facade"),))
_BACKGROUND_ALERTS = (
    # pending for 40 s, then cleared: never fired, never counts
    AlertEpisode("GuardianPDPLoadFailure", "critical", pending=h(20), resolved=h(20) - timedelta(
        seconds=40)),
    # fired 55h..54h before the end: before a 48h window, does not count
    AlertEpisode("HealthCheckFailing", "critical", pending=h(55, 2), firing=h(55), resolved=h(54)),
    # fired inside the window, but a warning: not a critical alert
    AlertEpisode("HighGuardianDenialRate", "warning", pending=h(30, 10), firing=h(30),
                 resolved=h(29, 40)),
)

SCENARIOS: dict[str, Scenario] = {s.name: s for s in (
    Scenario(
        "healthy",
        "50h soak: denial rate ~0.4%, p95 ~7.8 ms (inside the 5-10 ms bucket), no alerts, "
        "alerting rules loaded. Another job (lukhas-core) restarted 3h ago: a soak gate that "
        "ignores its selector would wrongly fail.",
        _HEALTHY, _ALL_PASS,
        {"soak": h(50), "p95_seconds": FAST.quantile(0.95), "deny_ratio": 0.004},
    ),
    Scenario(
        "sustained_breach",
        "From 10h to 6h before the end the denial rate is 3% and p95 ~23 ms for all outcomes; "
        "CriticalGuardianDenialRate fired for those 4 hours.",
        replace(_HEALTHY, seed=12, traffic=Traffic(
            deny_spikes=((Window(h(10), h(6)), 0.03),),
            latency_changes=(LatencyChange(Window(h(10), h(6)), SLOW),)),
            alerts=(AlertEpisode("CriticalGuardianDenialRate", "critical", pending=h(9, 55),
                                 firing=h(9, 50), resolved=h(6)),)),
        {SOAK: "pass", ALERTS: "fail", DENIAL: "fail", P95: "fail"},
        {"breach": Window(h(10), h(6)), "deny_ratio_in_breach": 0.03,
         "p95_seconds_in_breach": SLOW.quantile(0.95),
         "firing_alerts": ("CriticalGuardianDenialRate",)},
    ),
    Scenario(
        "short_blip",
        "Healthy, except a 6-minute latency excursion (p95 ~86 ms) 20h before the end. Seen "
        "through rate[5m] it lasts at most ~11 minutes: shorter than max_breach 15m and far "
        "below 1% of the window, so p95 warns and does not fail.",
        replace(_HEALTHY, seed=13, traffic=Traffic(
            latency_changes=(LatencyChange(Window(h(20), h(20) - timedelta(minutes=6)),
                                           SPIKE),))),
        {**_ALL_PASS, P95: "warn"},
        {"blip": Window(h(20), h(20) - timedelta(minutes=6)),
         "p95_seconds_in_blip": SPIKE.quantile(0.95)},
    ),
    Scenario(
        "idle_night",
        "Healthy, but no traffic at all from 34h to 28h and from 10h to 4h before the end: "
        "denial rate and p95 are NaN (0/0) there, which is idle time, not a breach or a gap.",
        replace(_HEALTHY, seed=14, traffic=Traffic(idle=(Window(h(34), h(28)),
                                                         Window(h(10), h(4))))),
        _ALL_PASS,
        {"idle": (Window(h(34), h(28)), Window(h(10), h(4))),
         "idle_minutes_approx": 2 * (360 - 5)},  # rate[5m] still sees traffic for 5 minutes
    ),
    Scenario(
        "scrape_gap",
        "Prometheus scraped nothing from 30h to 18h before the end (12h of 48h, coverage "
        "~75%): the SLI gates have too little data (no_data), the soak was not watched "
        "throughout (warn), and no alert could have been recorded for 12h (no_data).",
        replace(_HEALTHY, seed=15, gaps=(Window(h(30), h(18)),)),
        {SOAK: "warn", ALERTS: "no_data", DENIAL: "no_data", P95: "no_data"},
        {"gap": Window(h(30), h(18)), "coverage_approx": 0.75},
    ),
    Scenario(
        "metric_absent",
        "The façade is up (soak 50h) but exports no lukhas_guardian_* metrics at all.",
        replace(_HEALTHY, seed=16, traffic=None, recording_rules=False),
        {SOAK: "pass", ALERTS: "pass", DENIAL: "no_data", P95: "no_data"},
        {},
    ),
    Scenario(
        "one_outcome_bad",
        "Allowed decisions are fast (p95 ~7.8 ms) but denied ones are slow (p95 ~23 ms) all "
        "along: by outcome, the deny series fails and decides the gate.",
        replace(_HEALTHY, seed=17, traffic=Traffic(latency={"allow": FAST, "deny": SLOW})),
        {**_ALL_PASS, P95: "fail"},
        {"worst_series": {"outcome": "deny"}, "p95_seconds": {"allow": FAST.quantile(0.95),
                                                               "deny": SLOW.quantile(0.95)}},
    ),
    Scenario(
        "alerts_mixed",
        "60h of alert history: CriticalGuardianDenialRate (critical) fired 12h..11h30m before "
        "the end (30 minutes, counts); GuardianPDPLoadFailure (critical) was only pending; "
        "HealthCheckFailing (critical) fired 55h..54h before the end (before the 48h window); "
        "HighGuardianDenialRate fired in the window but is a warning. Traffic stays healthy.",
        replace(_HEALTHY, seed=18, duration=h(60), process_age=None,
                alerts=(_CRITICAL_IN_WINDOW, *_BACKGROUND_ALERTS)),
        {**_ALL_PASS, ALERTS: "fail"},
        {"firing_alerts": ("CriticalGuardianDenialRate",), "firing": Window(h(12), h(11, 30)),
         "firing_minutes": 30, "not_counted": ("GuardianPDPLoadFailure", "HealthCheckFailing",
                                               "HighGuardianDenialRate")},
    ),
    Scenario(
        "alerts_quiet",
        "Like alerts_mixed without the critical alert that fired in the window: a pending "
        "critical, a critical before the window and an in-window warning must not count.",
        replace(_HEALTHY, seed=19, duration=h(60), process_age=None,
                alerts=_BACKGROUND_ALERTS),
        _ALL_PASS,
        {"firing_alerts": (), "not_counted": ("GuardianPDPLoadFailure", "HealthCheckFailing",
                                              "HighGuardianDenialRate")},
    ),
    Scenario(
        "no_alert_rules",
        "Healthy data, but Prometheus has no alerting rule loaded: no critical alert could "
        "have fired, so the alerts gate is no_data, never a pass.",
        replace(_HEALTHY, seed=20),
        {**_ALL_PASS, ALERTS: "no_data"},
        {},
        rules=False,
    ),
    Scenario(
        "restart",
        "The façade first started 60h before the end and restarted 20h before it (up=0 for "
        "one scrape, counters reset): the soak is 20h and fails; rate() absorbs the reset.",
        replace(_HEALTHY, seed=21, process_age=h(60), restarts=(h(20),)),
        {**_ALL_PASS, SOAK: "fail"},
        {"soak": h(20), "restart": h(20)},
    ),
    Scenario(
        "demo",
        "A 50h20m soak of a healthy façade (denial rate ~0.4%, "
        "p95 ~7.8 ms, alerting rules loaded, nothing fired) with one 6-minute latency blip "
        "14h before the end, which the p95 gate reports as a warning, not a failure.",
        replace(_HEALTHY, seed=7, process_age=h(50, 20), traffic=Traffic(
            latency_changes=(LatencyChange(Window(h(14), h(14) - timedelta(minutes=6)),
                                           SPIKE),))),
        {**_ALL_PASS, P95: "warn"},
        {"soak": h(50, 20), "blip": Window(h(14), h(14) - timedelta(minutes=6))},
    ),
    Scenario(
        "research",
        "The demo's history plus the façade's HTTP side: requests and latency by route (server "
        "p95 ~24.7 ms), denials by reason (pii_detected 48%, harmful_content 30%, ...), and an "
        "idempotency cache answering ~35% of keyed requests. /v1/responses serves traffic "
        "that Guardian never decides on: one policy coverage hole.",
        replace(_HEALTHY, seed=7, process_age=h(50, 20), facade_http=FacadeHttp(),
                traffic=Traffic(latency_changes=(LatencyChange(
                    Window(h(14), h(14) - timedelta(minutes=6)), SPIKE),))),
        {**_ALL_PASS, P95: "warn"},
        {"server_p95_seconds": FacadeHttp().latency.quantile(0.95),
         "coverage_holes": ("/v1/responses",), "idempotency_hit_ratio": 0.35,
         "top_reason": ("pii_detected", 0.48)},
    ),
    Scenario(
        "bench_week",
        "7 days at 15 s: 100 decision-counter series (2 outcomes x 5 scopes x 10 routes), "
        "histograms by outcome; healthy, for the benchmark.",
        Plan(duration=timedelta(days=7), seed=22, process_age=timedelta(days=6, hours=12),
             traffic=Traffic(
                 peak_rps=400.0,
                 scopes=("chat", "embeddings", "moderation", "files", "admin"),
                 routes=tuple(f"/v1/{name}" for name in (
                     "chat/completions", "completions", "embeddings", "moderations",
                     "responses", "models", "files", "images", "audio", "batches")))),
        _ALL_PASS,
        {"series": 100},
    ),
)}

# Monitoring blind time and rule health (issue 10, items 1 and 3).
_UNSEEN_CRITICAL = AlertEpisode("CriticalGuardianDenialRate", "critical", pending=h(28, 5),
                                firing=h(28), resolved=h(27, 30),
                                labels=(("job", "lukhas-facade"),))
_BLIND_SCENARIOS = (
    Scenario(
        "prometheus_down",
        "Prometheus itself was down from 30h to 25h30m before the end: nothing at all is "
        "stored for those 4.5 hours, not even up. CriticalGuardianDenialRate fired 28h..27h30m "
        "before the end, inside that stretch, so it was never recorded: the alerts gate must "
        "not read the silence as 'no alert' (no_data, naming the stretch). The soak (91% "
        "scrape coverage) and the SLI gates (90.6% coverage, min_coverage 90%) still pass.",
        replace(_HEALTHY, seed=41, gaps=(Window(h(30), h(25, 30)),),
                alerts=(_UNSEEN_CRITICAL,), self_monitoring=True),
        {**_ALL_PASS, ALERTS: "no_data"},
        {"blind": Window(h(30), h(25, 30)), "unseen_alert": "CriticalGuardianDenialRate"},
    ),
    Scenario(
        "short_gap",
        "Control: Prometheus (which monitors itself here) was down for 2 minutes 20h before "
        "the end (a restart, a hiccup). Far below max_blind (10m): every gate still passes.",
        replace(_HEALTHY, seed=42, gaps=(Window(h(20), h(20) - timedelta(minutes=2)),),
                self_monitoring=True),
        _ALL_PASS,
        {"blind": Window(h(20), h(20) - timedelta(minutes=2))},
    ),
    Scenario(
        "data_ends_early",
        "The stored history ends 2 hours before the evaluation instant, as when --at lies "
        "after the data (a wiped TSDB, a Prometheus that stopped): the alerts gate is blind "
        "for the last 2 hours (no_data) and nothing says the façade still runs (no_data). "
        "The SLI gates have 46 of 48 hours (coverage 95.8% >= min_coverage 90%) and pass.",
        replace(_HEALTHY, seed=43, gaps=(Window(h(2), timedelta(seconds=-1)),)),
        {SOAK: "no_data", ALERTS: "no_data", DENIAL: "pass", P95: "pass"},
        {"blind": Window(h(2))},
    ),
    Scenario(
        "rules_stalled",
        "Prometheus monitors itself (job=\"prometheus\"). From 16h to 14h before the end it "
        "kept scraping but evaluated no rule (a stuck rule group): its last-evaluation gauge "
        "froze and CriticalGuardianDenialRate, which would have fired 15h..14h30m before the "
        "end, was never recorded. Scrapes alone look complete; the rule signal shows the "
        "stretch, so the alerts gate is no_data.",
        replace(_HEALTHY, seed=45, self_monitoring=True, rule_stalls=(Window(h(16), h(14)),),
                alerts=(AlertEpisode("CriticalGuardianDenialRate", "critical",
                                     pending=h(15, 5), firing=h(15), resolved=h(14, 30)),)),
        {**_ALL_PASS, ALERTS: "no_data"},
        {"stall": Window(h(16), h(14))},
    ),
    Scenario(
        "rule_errors",
        "Healthy history, but one loaded critical rule (GuardianPolicyBundleStale) fails at "
        "every evaluation on the real Prometheus (a many-to-many vector match): it can never "
        "fire, so 'no critical alert' is not evidence and the alerts gate is error, naming "
        "the rule and its lastError.",
        replace(_HEALTHY, seed=44),
        {**_ALL_PASS, ALERTS: "error"},
        {"broken_rule": "GuardianPolicyBundleStale"},
        failing_rule=True,
    ),
)
SCENARIOS.update({s.name: s for s in _BLIND_SCENARIOS})

# Thin evidence and histogram resolution (issue 10, items 2 and 6).
SCENARIOS.update({s.name: s for s in (
    Scenario(
        "idle_46h",
        "Healthy whenever there is traffic, but there is none from 52h to 2h before the end: "
        "46 of the 48 hours are idle (NaN), so the denial rate and p95 rest on 2 hours of "
        "evidence, below min_active 50%: no_data, not a pass.",
        replace(_HEALTHY, seed=31, traffic=Traffic(idle=(Window(h(52), h(2)),))),
        {SOAK: "pass", ALERTS: "pass", DENIAL: "no_data", P95: "no_data"},
        {"idle": Window(h(52), h(2)), "active": h(2)},
    ),
    Scenario(
        "quiet_night",
        "Healthy, with no traffic for one 6-hour night (30h to 24h before the end): 42 of 48 "
        "hours active, well above min_active 50%. The control: a quiet night must still pass.",
        replace(_HEALTHY, seed=32, traffic=Traffic(idle=(Window(h(30), h(24)),))),
        _ALL_PASS,
        {"idle": Window(h(30), h(24))},
    ),
    Scenario(
        "series_gap",
        "The deny outcome's latency histogram is missing from 30h to 18h before the end while "
        "the allow outcome's (and every decision counter) is complete: the union of the two "
        "series covers the window, but the deny series covers 75% of its lifespan, so the p95 "
        "gate (by outcome) is no_data; the denial rate passes.",
        replace(_HEALTHY, seed=33, traffic=Traffic(
            histogram_gaps=(("deny", Window(h(30), h(18))),))),
        {SOAK: "pass", ALERTS: "pass", DENIAL: "pass", P95: "no_data"},
        {"gap": Window(h(30), h(18)), "gap_series": '{outcome="deny"}', "coverage_approx": 0.75},
    ),
    Scenario(
        "coarse_buckets",
        "The latency histogram has coarse buckets (100ms, 250ms, 500ms, 1s) and every "
        "observation falls in the 0–100ms bucket: p95 interpolates to 95ms, but the buckets "
        "cannot tell whether it is below 10ms (or 50ms). Indeterminate: the p95 gate warns and "
        "never fails; a threshold of 200ms (inside 100–250ms) is a sure pass.",
        replace(_HEALTHY, seed=34, recording_rules=False,
                traffic=Traffic(latency={"allow": COARSE_FAST, "deny": COARSE_FAST})),
        {**_ALL_PASS, P95: "warn"},
        {"p95_interpolated": COARSE_FAST.quantile(0.95), "bucket": (0.0, 0.1)},
    ),
)})


# Many services (issue 12 item 3): for_each templates and fused queries.
SERVICES = ("consent", "guardian", "identity", "ledger", "memory", "orchestrator")
BAD_SERVICE = "ledger"
SCENARIOS.update({s.name: s for s in (
    Scenario(
        "services",
        "Six services (a service label on every façade series, up included), 50h soak, "
        "scraped every 30s. All healthy except ledger: p95 ~23 ms and a 3% denial rate all "
        "along. A for_each template over service must fail ledger's gates and pass the others. "
        "The default config, blind to services, sums them: its denial rate (~0.9%) passes and "
        "hides ledger's 3%; its p95 by outcome still fails.",
        replace(_HEALTHY, seed=40, interval=timedelta(seconds=30), recording_rules=False,
                services=tuple(
                    (name, Traffic(deny_ratio=0.03, latency={"allow": SLOW, "deny": SLOW})
                     if name == BAD_SERVICE else Traffic())
                    for name in SERVICES)),
        {SOAK: "pass", ALERTS: "pass", DENIAL: "pass", P95: "fail"},
        {"services": SERVICES, "bad": BAD_SERVICE},
    ),
)})
