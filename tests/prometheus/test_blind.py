"""Monitoring blind time and rule health on a real Prometheus (``alerts`` gate).

"No alert fired" is evidence only where Prometheus was scraping and its rules could fire.
Controls: a 2-minute hiccup and a healthy history still pass.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from gacheck.sli.blind import RULES, SCRAPES, blind_stretches
from tests.prometheus.helpers import context, default_context, result


def stamp(instant) -> str:
    return instant.isoformat().replace("+00:00", "Z")


def test_prometheus_down_for_hours_hides_a_critical_alert_so_alerts_is_no_data(promlab, tmp_path):
    lab = promlab("prometheus_down")
    res = result(default_context(tmp_path, lab.url, lab.end), "critical_alerts")
    assert res.status.value == "no_data" and res.value is None
    assert res.evidence.details["alerts"] == []  # the alert that fired was never stored
    (stretch,) = res.evidence.details["blind"]["stretches"]
    down = lab.scenario.facts["blind"]
    assert stretch["start"] == stamp(lab.ago(down.start))
    assert stretch["duration_s"] == pytest.approx(down.length.total_seconds(), abs=120)
    assert stretch["missing"] == [SCRAPES, RULES]  # Prometheus down: nothing at all
    assert "monitoring was blind longer than max_blind 10m" in res.message
    assert stamp(lab.ago(down.start)) in res.message
    coverage = res.evidence.queries[-1]  # the one extra query, recorded to be re-run
    assert coverage.kind == "range" and "count_over_time(up[59999ms])" in coverage.promql


def test_a_two_minute_gap_still_passes(promlab, tmp_path):
    lab = promlab("short_gap")
    res = result(default_context(tmp_path, lab.url, lab.end), "critical_alerts")
    assert res.status.value == "pass", res.message
    (stretch,) = res.evidence.details["blind"]["stretches"]  # recorded, tolerated
    assert stretch["duration_s"] <= 180
    assert res.evidence.details["blind"]["signals"] == [SCRAPES, RULES]  # both judged


def test_rule_evaluation_stalled_while_scraping_is_blind_for_alerts(promlab, tmp_path):
    lab = promlab("rules_stalled")
    res = result(default_context(tmp_path, lab.url, lab.end), "critical_alerts")
    assert res.status.value == "no_data", res.message
    assert res.evidence.details["alerts"] == []  # the alert it would have raised is not stored
    (stretch,) = res.evidence.details["blind"]["stretches"]
    stall = lab.scenario.facts["stall"]
    assert stretch["missing"] == [RULES]
    # the rule signal allows two rule intervals and a minute before it calls a group stalled
    assert stretch["duration_s"] == pytest.approx(stall.length.total_seconds() - 120, abs=60)
    assert stretch["end"] == stamp(lab.ago(stall.stop) - timedelta(minutes=1))
    assert "no rule evaluations" in res.message


def test_a_healthy_history_has_no_blind_stretch(promlab, tmp_path):
    lab = promlab("healthy")
    res = result(default_context(tmp_path, lab.url, lab.end), "critical_alerts")
    assert res.status.value == "pass"
    assert res.evidence.details["blind"]["stretches"] == []
    assert res.evidence.details["blind"]["signals"] == [SCRAPES]  # no self-monitoring here


def test_at_after_the_data_ends_is_blind_at_the_end(promlab, tmp_path):
    lab = promlab("data_ends_early")
    res = result(default_context(tmp_path, lab.url, lab.end), "critical_alerts")
    assert res.status.value == "no_data"
    (stretch,) = res.evidence.details["blind"]["stretches"]
    assert stretch["end"] == stamp(lab.end)
    assert stretch["duration_s"] == pytest.approx(7200, abs=120)


def test_a_later_at_on_the_same_data_is_blind_too(promlab, tmp_path):
    lab = promlab("healthy")
    res = result(default_context(tmp_path, lab.url, lab.end + timedelta(hours=1)),
                 "critical_alerts")
    assert res.status.value == "no_data"
    last = res.evidence.details["blind"]["stretches"][-1]
    assert last["start"] == stamp(lab.end)
    assert last["end"] == stamp(lab.end + timedelta(hours=1))


def test_a_window_longer_than_the_stored_history_is_blind_at_its_start(promlab, tmp_path):
    lab = promlab("healthy")  # 52h of history, as after a retention of 52h
    ctx = context(tmp_path, lab.url, lab.end, """
        [[gates]]
        id = "critical"
        kind = "alerts"
        title = "critical"
        window = "72h"
    """)
    res = result(ctx)
    assert res.status.value == "no_data"
    (stretch,) = res.evidence.details["blind"]["stretches"]
    assert stretch["start"] == stamp(lab.end - timedelta(hours=72))
    assert stretch["duration_s"] == pytest.approx(20 * 3600, abs=120)


def test_an_alert_that_fired_is_a_failure_even_across_a_blind_stretch(promlab, tmp_path):
    lab = promlab("alerts_mixed")
    res = result(default_context(tmp_path, lab.url, lab.end + timedelta(hours=1)),
                 "critical_alerts")
    assert res.status.value == "fail" and res.value == 1
    assert "monitoring was blind" in res.message


def test_max_blind_and_the_signals_are_settings_of_the_gate(promlab, tmp_path):
    lab = promlab("prometheus_down")
    ctx = context(tmp_path, lab.url, lab.end, """
        [[gates]]
        id = "tolerant"
        kind = "alerts"
        title = "tolerant"
        max_blind = "5h"

        [[gates]]
        id = "unwatched"
        kind = "alerts"
        title = "unwatched"
        scrape_signal = ""
        rule_signal = ""
    """)
    tolerant, unwatched = result(ctx, "tolerant"), result(ctx, "unwatched")
    assert tolerant.status.value == "pass"
    assert tolerant.evidence.details["blind"]["stretches"]  # still evidence
    assert unwatched.status.value == "pass" and "blind" not in unwatched.evidence.details


def test_a_critical_rule_whose_evaluation_fails_makes_alerts_an_error(promlab, tmp_path):
    lab = promlab("rule_errors")
    res = result(default_context(tmp_path, lab.url, lab.end - timedelta(hours=1)),
                 "critical_alerts")
    assert res.status.value == "error"
    rule = lab.scenario.facts["broken_rule"]
    assert rule in res.message and "many-to-many matching not allowed" in res.message
    (health,) = res.evidence.details["rule_health"]
    assert health["alert"] == rule and health["health"] == "err" and health["last_error"]
    # --at an hour ago: the health read now is said to be as of now
    assert any("rule health is as of now" in n for n in res.evidence.notes)


def test_a_failing_rule_of_another_severity_does_not_count(promlab, tmp_path):
    lab = promlab("rule_errors")
    ctx = context(tmp_path, lab.url, lab.end, """
        [[gates]]
        id = "warnings"
        kind = "alerts"
        title = "warnings"
        severities = ["warning"]
    """)
    res = result(ctx)
    assert res.status.value == "pass", res.message


def test_stretches_run_from_the_last_seen_step_and_skip_signals_absent_all_window():
    present = {SCRAPES: [True, True, False, False, True, False],
               "rule evaluations": [False] * 6}
    report = blind_stretches(1000.0, 60.0, 6, present)
    assert report.judged == (SCRAPES,)
    assert [(s.start, s.end) for s in report.stretches] == [(1060.0, 1180.0), (1240.0, 1300.0)]
    assert report.blind_s == 180 and len(report.longer_than(90)) == 1
    rules = {SCRAPES: [True] * 4, "rule evaluations": [True, False, False, True]}
    (stalled,) = blind_stretches(0.0, 60.0, 4, rules).stretches
    assert stalled.missing == ("rule evaluations",) and stalled.duration_s == 120


def test_sli_gates_record_blind_time_and_share_one_coverage_query_with_alerts(promlab,
                                                                                tmp_path):
    from gacheck.run.evaluation import Selection, evaluate
    from tests.prometheus.proxy import SpoilingProxy

    lab = promlab("scrape_gap")  # Prometheus scraped nothing for 12h
    with SpoilingProxy(lab.url, None) as proxy:
        ctx = default_context(tmp_path, proxy.url, lab.end)
        audit = evaluate(ctx, Selection(only=("critical_alerts", "guardian_denial_rate",
                                              "pdp_p95_latency")))
        asked = [q for q in proxy.queries if "count_over_time(up[" in q]
    gates = {g.id: g for g in audit.gates if g.id != "soak_duration"}
    (record,) = {json.dumps(q.model_dump(mode="json"), sort_keys=True)
                 for g in gates.values() for q in g.evidence.queries
                 if "count_over_time(up[" in q.promql}
    pieces = len(json.loads(record)["chunks"]) or 1
    assert len(set(asked)) == 1 and len(asked) == pieces  # three gates, one coverage query
    for gate in gates.values():
        (stretch,) = gate.evidence.details["blind"]["stretches"]
        assert stretch["duration"] == "11h59m"
    denial = gates["guardian_denial_rate"]
    assert denial.status.value == "no_data"  # decided by min_coverage, as before
    assert "monitoring was blind for 11h59m in 1 stretch(es)" in denial.message
