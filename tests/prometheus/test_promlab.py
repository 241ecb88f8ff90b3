"""The lab's histories are what their scenarios say, as read back from a real Prometheus."""

from __future__ import annotations

import io
import math
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import numpy as np
import pytest

from gacheck.promlab.generate import generate
from gacheck.promlab.lab import Lab, running_scenario
from gacheck.promlab.model import FAST, SLOW, Plan
from gacheck.promlab.openmetrics import OpenMetricsWriter
from gacheck.promlab.scenarios import SCENARIOS, Scenario, h
from gacheck.promlab.tsdb import PromlabError

DENIAL = ('sum(rate(lukhas_guardian_decision_total{outcome="deny"}[5m]))'
          " / sum(rate(lukhas_guardian_decision_total[5m]))")
P95 = ("histogram_quantile(0.95, sum by (le, outcome) "
       "(rate(lukhas_guardian_decision_duration_seconds_bucket[5m])))")


def instant(lab: Lab, expr: str, ago: timedelta = timedelta(0)) -> dict[str, float]:
    """``{outcome or alertname or '': value}`` of an instant query ``ago`` before the end."""
    body = httpx.get(f"{lab.url}/api/v1/query", params={
        "query": expr, "time": (lab.end - ago).timestamp()}).raise_for_status().json()
    return {_key(r["metric"]): float(r["value"][1]) for r in body["data"]["result"]}


def series(lab: Lab, expr: str, start: timedelta, stop: timedelta,
           step: str = "60") -> dict[str, list[tuple[float, float]]]:
    body = httpx.get(f"{lab.url}/api/v1/query_range", params={
        "query": expr, "start": (lab.end - start).timestamp(),
        "end": (lab.end - stop).timestamp(), "step": step}).raise_for_status().json()
    return {_key(r["metric"]): [(float(t), float(v)) for t, v in r["values"]]
            for r in body["data"]["result"]}


def _key(metric: dict[str, str]) -> str:
    return metric.get("outcome") or metric.get("alertname") or metric.get("job") or ""


# --- against a running server -----------------------------------------------------------

def test_healthy_history_ends_at_the_end_instant_and_is_within_budget(promlab) -> None:
    lab = promlab("healthy")
    soak = instant(lab, "time() - process_start_time_seconds")
    assert soak["lukhas-facade"] == pytest.approx(50 * 3600)
    assert soak["lukhas-core"] == pytest.approx(3 * 3600)  # the trap for a selector-less soak
    for ago in (h(0), h(13), h(47)):
        assert 0.002 < instant(lab, DENIAL, ago)[""] < 0.007
        p95 = instant(lab, P95, ago)
        assert p95["allow"] == pytest.approx(FAST.quantile(0.95), rel=0.03)
        assert p95["allow"] < 0.010
    # the recorded rule series agrees with the raw metrics
    assert instant(lab, "guardian:denial_rate:ratio", h(1))[""] == pytest.approx(0.004, rel=0.2)


def test_healthy_history_covers_52_hours_without_a_hole(promlab) -> None:
    lab = promlab("healthy")
    count = instant(lab, 'count_over_time(up{job="lukhas-facade"}[52h])')
    assert count["lukhas-facade"] == 52 * 3600 / 15 + 1


def test_sustained_breach_is_above_both_thresholds_for_four_hours(promlab) -> None:
    lab = promlab("sustained_breach")
    ratios = series(lab, DENIAL, h(12), h(4))[""]
    breached = [t for t, v in ratios if v > 0.01]
    assert (breached[-1] - breached[0]) / 3600 == pytest.approx(4, abs=0.15)
    p95 = instant(lab, P95, h(8))
    assert min(p95.values()) > 0.020
    firing = instant(lab, 'ALERTS{alertstate="firing",severity="critical"}', h(8))
    assert list(firing) == ["CriticalGuardianDenialRate"]


def test_short_blip_is_short_and_sharp(promlab) -> None:
    lab = promlab("short_blip")
    allow = series(lab, P95, h(21), h(19))["allow"]
    over = [v for _t, v in allow if v > 0.010]
    assert max(over) > 0.050
    assert 5 <= len(over) <= 12  # minutes beyond 10 ms at a 1m step: a blip, not a breach
    assert max(v for _t, v in series(lab, P95, h(19), h(0), step="300")["allow"]) < 0.010


def test_idle_night_is_nan_not_missing(promlab) -> None:
    lab = promlab("idle_night")
    ratios = series(lab, DENIAL, h(10), h(4))[""]
    assert len(ratios) == 6 * 60 + 1  # every step has a sample ...
    nan = sum(math.isnan(v) for _t, v in ratios)
    assert 6 * 60 - 10 <= nan <= 6 * 60 - 4  # ... NaN once rate[5m] no longer sees traffic
    assert math.isnan(instant(lab, P95, h(7))["allow"])


def test_scrape_gap_has_no_samples_at_all(promlab) -> None:
    lab = promlab("scrape_gap")
    assert instant(lab, 'count_over_time({job="lukhas-facade"}[11h])', h(18, 30)) == {}
    up = series(lab, 'up{job="lukhas-facade"}', h(48), h(0))["lukhas-facade"]
    assert len(up) / (48 * 60 + 1) == pytest.approx(0.75, abs=0.01)


def test_metric_absent_has_only_process_metrics(promlab) -> None:
    lab = promlab("metric_absent")
    assert instant(lab, 'count({__name__=~"lukhas_guardian.*"})', h(1)) == {}
    assert instant(lab, 'up{job="lukhas-facade"}', h(1)) == {"lukhas-facade": 1.0}


def test_one_outcome_bad_only_the_deny_series_is_slow(promlab) -> None:
    lab = promlab("one_outcome_bad")
    worst = instant(lab, f"max_over_time(({P95})[48h:5m])")
    typical = instant(lab, f"quantile_over_time(0.5, ({P95})[48h:5m])")
    assert worst["allow"] < 0.010
    assert typical["deny"] == pytest.approx(SLOW.quantile(0.95), rel=0.15)


def test_alerts_mixed_fires_exactly_one_critical_inside_the_window(promlab) -> None:
    lab = promlab("alerts_mixed")
    window = 'max_over_time(ALERTS{alertstate="firing",severity="critical"}[48h])'
    assert list(instant(lab, window)) == ["CriticalGuardianDenialRate"]
    minutes = instant(lab, 'count_over_time(ALERTS{alertstate="firing",'
                      'alertname="CriticalGuardianDenialRate"}[48h]) / 2')
    assert minutes["CriticalGuardianDenialRate"] == pytest.approx(30, abs=1)
    assert list(instant(lab, 'max_over_time(ALERTS{alertstate="pending",severity="critical"}'
                             '[48h])')) == ["CriticalGuardianDenialRate", "GuardianPDPLoadFailure"]
    before = instant(lab, 'max_over_time(ALERTS{alertstate="firing",severity="critical"}[10h])',
                     h(48))
    assert list(before) == ["HealthCheckFailing"]


def test_restart_resets_counters_and_start_time(promlab) -> None:
    lab = promlab("restart")
    assert instant(lab, 'time() - process_start_time_seconds{job="lukhas-facade"}') == {
        "lukhas-facade": pytest.approx(20 * 3600)}
    assert instant(lab, 'min_over_time(up{job="lukhas-facade"}[2h])', h(19)) == {
        "lukhas-facade": 0.0}
    resets = instant(lab, "sum(resets(lukhas_guardian_decision_total[2h]))", h(19))
    assert resets[""] == 8  # every counter series (2 outcomes x 2 scopes x 2 routes) reset once


def test_alerting_rules_are_loaded_with_severities_and_add_no_alerts(promlab) -> None:
    healthy, bare = promlab("healthy"), promlab("no_alert_rules")
    groups = httpx.get(f"{healthy.url}/api/v1/rules").json()["data"]["groups"]
    severities = {r["labels"]["severity"] for g in groups for r in g["rules"]}
    assert severities == {"critical", "warning", "page"}
    assert all(r["health"] in ("ok", "unknown") for g in groups for r in g["rules"])
    assert httpx.get(f"{bare.url}/api/v1/rules").json()["data"]["groups"] == []
    assert instant(healthy, "ALERTS") == {}


def test_auth_lab_refuses_requests_without_credentials(promlab) -> None:
    lab = promlab("healthy", auth=True)
    assert lab.basic_auth is not None
    url = f"{lab.url}/api/v1/query"
    assert httpx.get(url, params={"query": "up"}).status_code == 401
    assert httpx.get(url, params={"query": "up"}, auth=(lab.basic_auth.username,
                                                       "wrong")).status_code == 401
    ok = httpx.get(url, params={"query": "up"},
                   auth=(lab.basic_auth.username, lab.basic_auth.password))
    assert ok.status_code == 200


def test_server_is_stopped_when_the_block_raises(tmp_path: Path) -> None:
    tiny = Scenario("tiny", "3h", Plan(duration=h(3), seed=1), {})
    end = datetime.now(UTC).replace(microsecond=0)
    with pytest.raises(RuntimeError), running_scenario(tiny, end, tmp_path) as lab:
        assert httpx.get(f"{lab.url}/-/ready").status_code == 200
        raise RuntimeError("boom")
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{lab.url}/-/ready", timeout=2)


def test_unreachable_url_refuses_connections(unreachable_prometheus_url: str) -> None:
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{unreachable_prometheus_url}/-/ready", timeout=2)


# --- without a server --------------------------------------------------------------------

def test_missing_binaries_say_how_to_install(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(PromlabError, match="apt-get install prometheus"):
        with running_scenario(SCENARIOS["healthy"], datetime.now(UTC), tmp_path):
            pass


def test_openmetrics_text_is_exact() -> None:
    out = io.StringIO()
    writer = OpenMetricsWriter(out)
    writer.family("lukhas_guardian_decision", "counter", "Guardian decisions")
    writer.series("lukhas_guardian_decision_total", {"outcome": "deny", "route": 'a"b'},
                  [100, 115], [3, 4.5])
    writer.family("x", "gauge")
    writer.series("x", {}, [100.25], [float("nan")])
    writer.close()
    assert out.getvalue() == (
        "# HELP lukhas_guardian_decision Guardian decisions\n"
        "# TYPE lukhas_guardian_decision counter\n"
        'lukhas_guardian_decision_total{outcome="deny",route="a\\"b"} 3 100\n'
        'lukhas_guardian_decision_total{outcome="deny",route="a\\"b"} 4.5 115\n'
        "# TYPE x gauge\n"
        "x NaN 100.250\n"
        "# EOF\n"
    )
    with pytest.raises(ValueError, match="already closed"):
        writer.family("y", "gauge")


def test_openmetrics_refuses_a_split_family() -> None:
    writer = OpenMetricsWriter(io.StringIO())
    writer.family("up", "gauge")
    writer.family("other", "gauge")
    with pytest.raises(ValueError, match="already written"):
        writer.family("up", "gauge")


def test_generated_histograms_are_cumulative_and_counters_only_reset_at_restart() -> None:
    plan = SCENARIOS["restart"].plan
    end = datetime(2026, 11, 25, 12, tzinfo=UTC)
    families = {f.name: f for f in generate(plan, end)}
    buckets = [s for s in families["lukhas_guardian_decision_duration_seconds"].series
               if s.name.endswith("_bucket") and s.labels["outcome"] == "allow"]
    stacked = np.vstack([s.values for s in buckets])  # le ascending, +Inf last
    assert (np.diff(stacked, axis=0) >= 0).all()
    count = next(s for s in families["lukhas_guardian_decision_duration_seconds"].series
                 if s.name.endswith("_count") and s.labels["outcome"] == "allow")
    assert (stacked[-1] == count.values).all()
    for counter in families["lukhas_guardian_decision"].series:
        drops = np.flatnonzero(np.diff(counter.values) < 0)
        assert len(drops) == 1
        assert end.timestamp() - counter.timestamps[drops[0] + 1] == pytest.approx(
            20 * 3600, abs=30)


@pytest.mark.parametrize("name", ["short_blip", "idle_night", "coarse_buckets"])
def test_generated_bucket_increases_are_monotonic_in_le_over_any_range(name: str) -> None:
    # rate() of each bucket must rise with le, or histogram_quantile reads a broken histogram
    # (and backends that repair it differently disagree): whole observations per bucket.
    end = datetime(2026, 11, 25, 12, tzinfo=UTC)
    families = {f.name: f for f in generate(SCENARIOS[name].plan, end)}
    for outcome in ("allow", "deny"):
        buckets = [s for s in families["lukhas_guardian_decision_duration_seconds"].series
                   if s.name.endswith("_bucket") and s.labels["outcome"] == outcome]
        stacked = np.vstack([s.values for s in buckets])
        for lag in (1, 4, 20, 240):
            increases = stacked[:, lag:] - stacked[:, :-lag]
            assert (np.diff(increases, axis=0) >= 0).all(), (outcome, lag)


def test_generation_is_deterministic() -> None:
    end = datetime(2026, 11, 25, 12, tzinfo=UTC)
    first = generate(SCENARIOS["short_blip"].plan, end)
    again = generate(SCENARIOS["short_blip"].plan, end)
    for a, b in zip(first, again, strict=True):
        for sa, sb in zip(a.series, b.series, strict=True):
            assert sa.labels == sb.labels
            assert np.array_equal(sa.values, sb.values, equal_nan=True)


def test_every_scenario_says_what_the_prometheus_gates_conclude() -> None:
    gates = {"soak_duration", "critical_alerts", "guardian_denial_rate", "pdp_p95_latency"}
    statuses = {"pass", "warn", "fail", "no_data", "error"}
    for scenario in SCENARIOS.values():
        assert set(scenario.expected) == gates, scenario.name
        assert set(scenario.expected.values()) <= statuses
        assert scenario.summary
