"""A quantile threshold strictly inside a bucket, judged from the buckets on a real Prometheus.

The buckets prove "p95 below T" when the share of observations ≤ the edge below T is ≥ 95%, and
"p95 above T" when the share ≤ the edge above T is < 95%; anything else is indeterminate and can
only warn. A threshold on an edge (LUKHAS' 10 ms) is exact and needs none of this.
"""

from __future__ import annotations

import pytest

from tests.prometheus.helpers import context, result, series_rows

METRIC = "lukhas_guardian_decision_duration_seconds"


def p95_gate(threshold: str, by: str = "") -> str:
    return f"""
        [[gates]]
        id = "p95"
        kind = "histogram_quantile"
        title = "p95"
        metric = "{METRIC}"
        quantile = 0.95
        {by}
        threshold = {{ max = "{threshold}" }}
    """


def share_queries(res) -> list[str]:
    return [q.promql for q in res.evidence.queries if q.kind == "range" and "le=" in q.promql
            and "histogram_quantile" not in q.promql]


def test_all_observations_in_the_0_100ms_bucket_warn_against_50ms_and_never_fail(
        promlab, tmp_path):
    lab = promlab("coarse_buckets")  # histogram_quantile reads p95 = 95 ms: today's FAIL
    res = result(context(tmp_path, lab.url, lab.end, p95_gate("50ms")))
    assert res.status.value == "warn", res.message
    assert ("threshold 50ms is inside bucket 0–100ms; set it to an edge or add a bucket"
            in res.message)
    assert res.value is not None and res.value <= 0.050
    row = series_rows(res)["{}"]
    assert row["median"] == pytest.approx(lab.scenario.facts["p95_interpolated"], abs=0.001)
    assert row["indeterminate"] == row["valued"] and row["breaches"] == 0
    assert row["possible_level"] == pytest.approx(0.1)
    resolution = res.evidence.details["resolution"]
    assert (resolution["lower_edge"], resolution["upper_edge"]) == (0.0, 0.1)
    # The share ≤ 0 is 0 by definition; only the share ≤ 100ms is asked, over the same range.
    [share] = share_queries(res)
    assert 'le="0.1"' in share and 'le="+Inf"' in share
    quantile = next(q for q in res.evidence.queries if "histogram_quantile" in q.promql)
    recorded = next(q for q in res.evidence.queries if q.promql == share)
    assert (recorded.start, recorded.end, recorded.step_s) == (
        quantile.start, quantile.end, quantile.step_s)


def test_below_the_first_edge_is_indeterminate_too_so_the_default_gate_warns(promlab, tmp_path):
    lab = promlab("coarse_buckets")
    res = result(context(tmp_path, lab.url, lab.end, p95_gate("10ms", 'by = ["outcome"]')))
    assert res.status.value == "warn", res.message
    assert "threshold 10ms is inside bucket 0–100ms" in res.message


def test_sure_pass_inside_a_bucket_when_every_observation_is_below_its_lower_edge(
        promlab, tmp_path):
    lab = promlab("coarse_buckets")
    res = result(context(tmp_path, lab.url, lab.end, p95_gate("200ms")))
    assert res.status.value == "pass", res.message
    assert "indeterminate" not in series_rows(res)["{}"]
    assert res.evidence.details["resolution"]["lower_edge"] == 0.1


def test_an_edge_threshold_stays_exact_and_asks_no_share(promlab, tmp_path):
    lab = promlab("coarse_buckets")
    res = result(context(tmp_path, lab.url, lab.end, p95_gate("100ms")))
    assert res.status.value == "pass", res.message
    assert "resolution" not in res.evidence.details and not share_queries(res)


def test_lukhas_edge_threshold_10ms_is_unchanged(promlab, tmp_path):
    lab = promlab("one_outcome_bad")
    res = result(context(tmp_path, lab.url, lab.end, p95_gate("10ms", 'by = ["outcome"]')))
    assert res.status.value == "fail" and "resolution" not in res.evidence.details
    assert not share_queries(res)


def test_inside_a_lukhas_bucket_the_interpolation_alone_no_longer_fails(promlab, tmp_path):
    # p95 ≈ 7.8 ms by interpolation inside 5–10 ms; 90% ≤ 5 ms and 99% ≤ 10 ms: against 7 ms
    # the buckets cannot tell. Before, this failed on the interpolation.
    lab = promlab("healthy")
    res = result(context(tmp_path, lab.url, lab.end, p95_gate("7ms")))
    assert res.status.value == "warn", res.message
    assert "threshold 7ms is inside bucket 5ms–10ms; set it to an edge or add a bucket" in (
        res.message)
    assert len(share_queries(res)) == 2


def test_sure_pass_inside_a_lukhas_bucket(promlab, tmp_path):
    lab = promlab("healthy")  # 99% of observations ≤ 10 ms: p95 < 20 ms for sure
    res = result(context(tmp_path, lab.url, lab.end, p95_gate("20ms")))
    assert res.status.value == "pass", res.message
    assert "indeterminate" not in series_rows(res)["{}"]


def test_sure_fail_inside_a_lukhas_bucket(promlab, tmp_path):
    # In the 4-hour breach only 80% of observations are ≤ 10 ms: p95 > 10 ms > 7 ms for sure;
    # the healthy hours around it are indeterminate against 7 ms and do not matter.
    lab = promlab("sustained_breach")
    res = result(context(tmp_path, lab.url, lab.end, p95_gate("7ms")))
    assert res.status.value == "fail", res.message
    assert "sustained breach" in res.message and "indeterminate" not in res.message
    row = series_rows(res)["{}"]
    breach = lab.scenario.facts["breach"].length.total_seconds()
    assert row["breaches"] * 60 == pytest.approx(breach, abs=10 * 60)  # only the sure ones
    assert res.value > 0.010
