"""Partial and impossible answers, from a real Prometheus spoiled by a loopback proxy.

A result with ``warnings`` cannot pass (unless the warning is allowed by pattern), a body with
``"status": "error"`` is an error whatever the HTTP code, a negative ratio or latency is an
error; a failure stays a failure.
"""

from __future__ import annotations

from tests.prometheus.helpers import context, default_context, result
from tests.prometheus.proxy import NEGATIVE, STATUS_ERROR, WARNINGS, SpoilingProxy

PARTIAL = "partial response: store 10.0.0.7:10901 unavailable"


def test_an_answer_with_warnings_cannot_pass_any_prometheus_gate(promlab, tmp_path):
    lab = promlab("healthy")
    with SpoilingProxy(lab.url, WARNINGS) as proxy:
        ctx = default_context(tmp_path, proxy.url, lab.end)
        results = {g.id: result(ctx, g.id) for g in ctx.config.gates}
    for gate_id, res in results.items():
        assert res.status.value == "error", (gate_id, res.message)
        assert PARTIAL in res.message and "[prometheus].allowed_warnings" in res.message
        assert any(PARTIAL in q.warnings for q in res.evidence.queries)


def test_an_allowed_warning_keeps_the_healthy_verdicts(promlab, tmp_path):
    lab = promlab("healthy")
    with SpoilingProxy(lab.url, WARNINGS) as proxy:
        ctx = context(tmp_path, proxy.url, lab.end, """
            [[gates]]
            id = "denial"
            kind = "ratio"
            title = "denial"
            numerator = 'lukhas_guardian_decision_total{outcome="deny"}'
            denominator = "lukhas_guardian_decision_total"
            threshold = { max = "1%" }
        """, "allowed_warnings = ['^partial response: store 10\\.0\\.0\\.7:']\n")
        res = result(ctx)
    assert res.status.value == "pass", res.message
    assert PARTIAL in res.evidence.queries[-1].warnings  # still recorded


def test_a_failure_with_warnings_stays_a_failure(promlab, tmp_path):
    lab = promlab("sustained_breach")
    with SpoilingProxy(lab.url, WARNINGS) as proxy:
        res = result(default_context(tmp_path, proxy.url, lab.end), "guardian_denial_rate")
    assert res.status.value == "fail"
    assert "sustained breach" in res.message and PARTIAL in res.message


def test_status_error_on_http_200_is_an_error_with_prometheus_own_words(promlab, tmp_path):
    lab = promlab("healthy")
    with SpoilingProxy(lab.url, STATUS_ERROR, only="/api/v1/query_range") as proxy:
        res = result(default_context(tmp_path, proxy.url, lab.end), "pdp_p95_latency")
    assert res.status.value == "error"
    assert "status 'error' (internal) on HTTP 200" in res.message
    assert "too many samples" in res.message and "(query: histogram_quantile(" in res.message


def test_negative_ratios_and_latencies_are_impossible_values(promlab, tmp_path):
    lab = promlab("healthy")
    with SpoilingProxy(lab.url, NEGATIVE, only="/api/v1/query_range") as proxy:
        ctx = default_context(tmp_path, proxy.url, lab.end)
        denial = result(ctx, "guardian_denial_rate")
        p95 = result(ctx, "pdp_p95_latency")
    for res in (denial, p95):
        assert res.status.value == "error", res.message
        assert "impossible value -" in res.message and "cannot be negative" in res.message


NO_SERIES_GATE = """
    [[gates]]
    id = "absent"
    kind = "ratio"
    title = "absent"
    numerator = 'gacheck_no_such_metric_total{outcome="deny"}'
    denominator = "gacheck_no_such_metric_total"
    threshold = { max = "1%" }
"""


def test_no_data_in_a_partial_answer_is_an_error(promlab, tmp_path):
    """The missing series may be in the store that did not answer: "no data" is not known."""
    lab = promlab("healthy")
    with SpoilingProxy(lab.url, WARNINGS) as proxy:
        res = result(context(tmp_path, proxy.url, lab.end, NO_SERIES_GATE))
    assert res.status.value == "error", res.message
    assert PARTIAL in res.message and "no series" in res.message
    control = result(context(tmp_path, lab.url, lab.end, NO_SERIES_GATE))
    assert control.status.value == "no_data", control.message  # a whole answer: no data
