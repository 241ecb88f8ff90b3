"""``histogram_quantile`` (PDP p95) on a real Prometheus: series by outcome, blips, buckets."""

from __future__ import annotations

import pytest

from tests.prometheus.helpers import context, default_context, result, series_rows

P95 = "pdp_p95_latency"
OVERALL = """
    [[gates]]
    id = "p95"
    kind = "histogram_quantile"
    title = "p95"
    metric = "lukhas_guardian_decision_duration_seconds"
    quantile = 0.95
    threshold = { max = "10ms" }
"""


def test_healthy_overall_p95_passes_and_notes_the_bucket_edge(promlab, tmp_path):
    lab = promlab("healthy")
    res = result(context(tmp_path, lab.url, lab.end, OVERALL))
    assert res.status.value == "pass"
    row = series_rows(res)["{}"]
    assert row["median"] == pytest.approx(lab.scenario.facts["p95_seconds"], abs=0.0005)
    assert "0.01" in res.evidence.details["bucket_edges"]
    assert any('bucket edge le="0.01"' in n and "5ms–10ms" in n for n in res.evidence.notes)


def test_default_config_never_fails_a_healthy_soak(promlab, tmp_path):
    # Per outcome, the rare deny decisions make a noisy p95: a 1-minute excursion may warn,
    # but nothing healthy is sustained.
    lab = promlab("healthy")
    res = result(default_context(tmp_path, lab.url, lab.end), P95)
    assert res.status.value in ("pass", "warn")
    assert res.value is not None and res.value <= 0.010
    assert set(series_rows(res)) == {'{outcome="allow"}', '{outcome="deny"}'}


def test_one_bad_outcome_decides_and_is_named(promlab, tmp_path):
    lab = promlab("one_outcome_bad")
    res = result(default_context(tmp_path, lab.url, lab.end), P95)
    assert res.status.value == "fail"
    assert res.evidence.details["worst_series"] == '{outcome="deny"}'
    assert 'on {outcome="deny"}' in res.message
    rows = series_rows(res)
    assert rows['{outcome="allow"}']["level"] <= 0.010 < rows['{outcome="deny"}']["level"]


def test_a_short_blip_warns_with_its_time_and_size(promlab, tmp_path):
    lab = promlab("short_blip")
    res = result(context(tmp_path, lab.url, lab.end, OVERALL))
    assert res.status.value == "warn" and res.value <= 0.010
    longest = series_rows(res)["{}"]["longest_breach"]
    blip = lab.scenario.facts["blip"]
    start = lab.ago(blip.start).timestamp()
    from datetime import datetime

    seen = datetime.fromisoformat(longest["start"].replace("Z", "+00:00")).timestamp()
    assert start - 60 <= seen <= start + 6 * 60
    assert longest["duration_s"] < 15 * 60 and longest["peak"] > 0.05
    assert "short excursion" in res.message


def test_a_sustained_latency_breach_fails(promlab, tmp_path):
    lab = promlab("sustained_breach")
    res = result(context(tmp_path, lab.url, lab.end, OVERALL))
    assert res.status.value == "fail"
    assert res.value == pytest.approx(lab.scenario.facts["p95_seconds_in_breach"], rel=0.1)


def test_the_recording_rule_reads_several_series(promlab, tmp_path):
    lab = promlab("one_outcome_bad")
    ctx = context(tmp_path, lab.url, lab.end, """
        [[gates]]
        id = "p95"
        kind = "histogram_quantile"
        title = "p95"
        rule = "guardian:pdp_latency:p95"
        threshold = { max = "10ms" }
    """)
    res = result(ctx)
    assert res.status.value == "fail"
    assert res.evidence.details["worst_series"] == '{outcome="deny"}'
    assert res.evidence.queries[-1].promql == "guardian:pdp_latency:p95"


def test_too_few_observations_everywhere_is_no_data_that_names_min_events(promlab, tmp_path):
    lab = promlab("healthy")
    toml = OVERALL.replace("quantile = 0.95", "quantile = 0.95\nmin_events = 100000000")
    res = result(context(tmp_path, lab.url, lab.end, toml))
    assert res.status.value == "no_data"
    assert "fewer than 100000000 observations per 5m; see min_events" in res.message
