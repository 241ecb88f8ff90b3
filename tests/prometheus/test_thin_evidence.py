"""Thin evidence on a real Prometheus: idle time is not coverage, and coverage is per series."""

from __future__ import annotations

import re

import pytest

from tests.prometheus.helpers import context, default_context, result, series_rows

DENIAL, P95 = "guardian_denial_rate", "pdp_p95_latency"


@pytest.mark.parametrize("gate", [DENIAL, P95])
def test_46_idle_hours_of_48_are_no_data_saying_how_much_was_active(promlab, tmp_path, gate):
    lab = promlab("idle_46h")
    res = result(default_context(tmp_path, lab.url, lab.end), gate)
    assert res.status.value == "no_data", res.message
    found = re.search(r"(\d)h(\d+)?m? of 48h active \((\d+)%\), below min_active 50%",
                      res.message)
    assert found, res.message
    active_minutes = int(found.group(1)) * 60 + int(found.group(2) or 0)
    assert active_minutes == pytest.approx(2 * 60, abs=6)  # rate[5m] and min_events blur it
    assert int(found.group(3)) == 4
    for row in series_rows(res).values():
        assert row["active"] == pytest.approx(2 / 48, abs=0.01)
        assert row["gap_minutes"] == 0 and row["coverage"] == 1.0  # idle is not a gap either


def test_min_active_is_the_knob_for_mostly_idle_services(promlab, tmp_path):
    lab = promlab("idle_46h")
    ctx = context(tmp_path, lab.url, lab.end, """
        [[gates]]
        id = "denial"
        kind = "ratio"
        title = "denial"
        numerator = 'lukhas_guardian_decision_total{outcome="deny"}'
        denominator = "lukhas_guardian_decision_total"
        min_active = "3%"
        threshold = { max = "1%" }
    """)
    res = result(ctx)
    assert res.status.value == "pass", res.message
    assert res.evidence.details["min_active"] == 0.03


@pytest.mark.parametrize("gate", [DENIAL, P95])
def test_a_quiet_night_of_six_idle_hours_still_passes(promlab, tmp_path, gate):
    lab = promlab("quiet_night")
    res = result(default_context(tmp_path, lab.url, lab.end), gate)
    assert res.status.value == "pass", res.message
    for row in series_rows(res).values():
        assert row["idle_minutes"] == pytest.approx(6 * 60, abs=15)
        assert 0.85 <= row["active"] <= 0.9


def test_one_series_gap_does_not_hide_behind_another_series(promlab, tmp_path):
    lab = promlab("series_gap")
    res = result(default_context(tmp_path, lab.url, lab.end), P95)
    assert res.status.value == "no_data", res.message
    assert res.evidence.details["coverage"] == 1.0  # the union of the series is complete
    assert res.message.startswith(f"too little evidence: {lab.scenario.facts['gap_series']}: "
                                  "coverage 75")
    assert "below min_coverage 90%" in res.message and "1 of 2 series too thin" in res.message
    rows = series_rows(res)
    assert rows['{outcome="deny"}']["coverage"] == pytest.approx(0.75, abs=0.01)
    assert rows['{outcome="deny"}']["gap_minutes"] == pytest.approx(12 * 60, abs=10)
    assert rows['{outcome="allow"}']["coverage"] == 1.0
    assert res.evidence.details["thin_series"] == ['{outcome="deny"}']


def test_the_counters_of_that_scenario_are_complete_so_the_denial_rate_passes(promlab, tmp_path):
    lab = promlab("series_gap")
    assert result(default_context(tmp_path, lab.url, lab.end), DENIAL).status.value == "pass"


def test_a_sure_failure_on_a_sound_series_fails_though_another_series_is_thin(promlab, tmp_path):
    lab = promlab("series_gap")  # the deny series is thin; the allow series is sound
    ctx = context(tmp_path, lab.url, lab.end, """
        [[gates]]
        id = "p95"
        kind = "histogram_quantile"
        title = "p95 under 1ms (an edge), which nothing meets"
        metric = "lukhas_guardian_decision_duration_seconds"
        by = ["outcome"]
        threshold = { max = "1ms" }
    """)
    res = result(ctx)
    assert res.status.value == "fail", res.message
    assert 'sustained breach on {outcome="allow"}' in res.message
    assert "1 other series too thin to judge" in res.message


def test_a_series_living_part_of_the_window_is_judged_over_its_lifespan(promlab, tmp_path):
    # The deny series answers only for the last 20h (as a series that appears mid-window
    # would): it is judged over its own life, while the allow series covers the window.
    lab = promlab("healthy")
    since = int(lab.end.timestamp()) - 20 * 3600
    ctx = context(tmp_path, lab.url, lab.end, f"""
        [[gates]]
        id = "late"
        kind = "promql_sustained"
        title = "decisions per second by outcome, one series starting late"
        query = 'sum by (outcome) (rate(lukhas_guardian_decision_total{{outcome="deny"}}[5m])) and on () (vector(time()) > {since}) or sum by (outcome) (rate(lukhas_guardian_decision_total{{outcome="allow"}}[5m]))'
        threshold = {{ max = 100000 }}
    """)
    res = result(ctx)
    rows = series_rows(res)
    assert res.status.value == "pass", res.message
    deny = rows['{outcome="deny"}']
    assert deny["lifespan_minutes"] == pytest.approx(20 * 60, abs=2)
    assert deny["coverage"] == 1.0 and deny["gap_minutes"] == 0
