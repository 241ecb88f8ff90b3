"""``promql_sustained`` on a real Prometheus: any SLI, min thresholds, bad PromQL, step growth."""

from __future__ import annotations

from tests.prometheus.helpers import context, result

AVAILABILITY = """
    [[gates]]
    id = "allowed"
    kind = "promql_sustained"
    title = "share of decisions allowed"
    unit = "ratio"
    query = 'sum(rate(lukhas_guardian_decision_total{outcome="allow"}[5m])) / sum(rate(lukhas_guardian_decision_total[5m]))'
    threshold = { min = "99%" }
"""


def test_a_min_threshold_passes_when_healthy_and_fails_when_breached(promlab, tmp_path):
    healthy = result(context(tmp_path, promlab("healthy").url, promlab("healthy").end,
                             AVAILABILITY))
    assert healthy.status.value == "pass" and healthy.value >= 0.99
    lab = promlab("sustained_breach")
    breached = result(context(tmp_path, lab.url, lab.end, AVAILABILITY))
    assert breached.status.value == "fail" and breached.value < 0.99
    assert "sustained breach" in breached.message


def test_a_longer_max_breach_turns_the_same_breach_into_a_warning(promlab, tmp_path):
    lab = promlab("sustained_breach")  # 4 hours beyond; allow 5h and 20% of the samples
    toml = AVAILABILITY.replace('threshold =', 'max_breach = "5h"\nmax_breach_ratio = "20%"\n'
                                               'threshold =')
    res = result(context(tmp_path, lab.url, lab.end, toml))
    assert res.status.value == "warn" and "short excursion" in res.message


def test_bad_promql_is_an_error_with_prometheus_own_words(promlab, tmp_path):
    lab = promlab("healthy")
    ctx = context(tmp_path, lab.url, lab.end, """
        [[gates]]
        id = "bad"
        kind = "promql_sustained"
        title = "bad"
        query = "sum(rate(lukhas_guardian_decision_total[5m])"
        threshold = { max = 1 }
    """)
    res = result(ctx)
    assert res.status.value == "error"
    assert res.message.startswith("Prometheus error (bad_data, HTTP 400):")
    assert "parse error" in res.message


def test_the_step_grows_to_stay_under_the_point_limit_and_says_so(promlab, tmp_path):
    lab = promlab("healthy")
    ctx = context(tmp_path, lab.url, lab.end, """
        [[gates]]
        id = "rps"
        kind = "promql_sustained"
        title = "decisions per second"
        query = "sum(rate(lukhas_guardian_decision_total[5m]))"
        window = "50h"
        step = "10s"
        min_coverage = "50%"
        threshold = { max = 1000 }
    """)
    res = result(ctx)
    record = res.evidence.queries[-1]
    assert record.step_s == 17 and record.samples <= 11000  # 50h / 10s would be 18,001 points
    assert any("step grew from 10s to 17s" in note for note in res.evidence.notes)
    assert res.status.value == "pass"


def test_an_infinite_sli_fails_with_a_finite_value_and_says_so(promlab, tmp_path):
    lab = promlab("healthy")
    ctx = context(tmp_path, lab.url, lab.end, """
        [[gates]]
        id = "inf"
        kind = "promql_sustained"
        title = "x / 0"
        query = "sum(rate(lukhas_guardian_decision_total[5m])) / 0"
        threshold = { max = 1 }
    """)
    res = result(ctx)
    assert res.status.value == "fail"
    assert res.value == 1e15 and "(the sustained level is +Inf)" in res.message
    assert res.evidence.details["series"][0]["max"] == "+Inf"


def test_prometheus_own_timeout_is_the_error_message(promlab, tmp_path):
    lab = promlab("healthy")
    ctx = context(tmp_path, lab.url, lab.end, """
        [[gates]]
        id = "slow"
        kind = "promql_sustained"
        title = "slow"
        query = 'histogram_quantile(0.95, sum by (le) (rate(lukhas_guardian_decision_duration_seconds_bucket[1h])))'
        threshold = { max = 1 }
    """, 'timeout = "1ms"\n')
    res = result(ctx)
    assert res.status.value == "error"
    assert res.message.startswith("Prometheus error (")
    assert "context deadline exceeded" in res.message or "timed out" in res.message
