"""``ratio`` (the Guardian denial rate) on a real Prometheus: sustained, idle, gaps, absent."""

from __future__ import annotations

import pytest

from tests.prometheus.helpers import context, default_context, result, series_rows

DENIAL = "guardian_denial_rate"


def test_healthy_denial_rate_passes_with_full_evidence(promlab, tmp_path):
    lab = promlab("healthy")
    res = result(default_context(tmp_path, lab.url, lab.end), DENIAL)
    assert res.status.value == "pass"
    assert res.value == pytest.approx(lab.scenario.facts["deny_ratio"], abs=0.002)
    details = res.evidence.details
    assert details["window"]["step_s"] == 60 and details["window"]["points"] == 2881
    row = series_rows(res)["{}"]
    assert row["breaches"] == 0 and row["longest_breach"] is None and row["gap_minutes"] == 0
    assert row["min"] <= row["median"] <= row["p95"] <= row["max"] < 0.01
    range_query = res.evidence.queries[-1]
    assert range_query.kind == "range" and range_query.end == lab.end and range_query.samples
    assert 'lukhas_guardian_decision_total{outcome="deny"}' in range_query.promql


def test_a_four_hour_breach_fails_with_its_length(promlab, tmp_path):
    lab = promlab("sustained_breach")
    res = result(default_context(tmp_path, lab.url, lab.end), DENIAL)
    assert res.status.value == "fail"
    assert res.value == pytest.approx(0.03, abs=0.003)
    longest = series_rows(res)["{}"]["longest_breach"]
    breach = lab.scenario.facts["breach"]
    assert longest["duration_s"] == pytest.approx(breach.length.total_seconds(), abs=10 * 60)
    assert "longest breach 4h" in res.message


def test_idle_night_is_idle_time_not_a_breach_or_a_gap(promlab, tmp_path):
    lab = promlab("idle_night")
    res = result(default_context(tmp_path, lab.url, lab.end), DENIAL)
    assert res.status.value == "pass"
    row = series_rows(res)["{}"]
    expected_idle = lab.scenario.facts["idle_minutes_approx"]
    assert row["idle_minutes"] == pytest.approx(expected_idle, abs=15)
    assert row["gap_minutes"] == 0 and row["breaches"] == 0


def test_a_scrape_gap_is_no_data_with_the_coverage(promlab, tmp_path):
    lab = promlab("scrape_gap")
    res = result(default_context(tmp_path, lab.url, lab.end), DENIAL)
    assert res.status.value == "no_data"
    assert res.evidence.details["coverage"] == pytest.approx(0.75, abs=0.02)
    assert "below min_coverage 90%" in res.message


def test_an_absent_metric_is_no_data(promlab, tmp_path):
    lab = promlab("metric_absent")
    res = result(default_context(tmp_path, lab.url, lab.end), DENIAL)
    assert res.status.value == "no_data"
    assert "returned no series" in res.message


def test_the_recording_rule_gives_the_same_verdict(promlab, tmp_path):
    lab = promlab("sustained_breach")
    ctx = context(tmp_path, lab.url, lab.end, """
        [[gates]]
        id = "denial"
        kind = "ratio"
        title = "denial"
        rule = "guardian:denial_rate:ratio"
        threshold = { max = "1%" }
    """)
    res = result(ctx)
    assert res.status.value == "fail" and res.evidence.queries[-1].promql == (
        "guardian:denial_rate:ratio")


def test_a_numerator_matching_nothing_warns_instead_of_passing_quietly(promlab, tmp_path):
    lab = promlab("healthy")
    ctx = context(tmp_path, lab.url, lab.end, """
        [[gates]]
        id = "denial"
        kind = "ratio"
        title = "denial"
        numerator = 'lukhas_guardian_decision_total{outcome="denied"}'
        denominator = "lukhas_guardian_decision_total"
        threshold = { max = "1%" }
    """)
    res = result(ctx)
    assert res.status.value == "warn" and res.value == 0
    assert any("matched no series" in note for note in res.evidence.notes)
