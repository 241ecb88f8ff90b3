"""Thanos and Mimir in front of Prometheus: ``partial_response`` and the tenant header arrive.

A recording proxy on 127.0.0.1 stands where Thanos Query or Mimir's gateway would; it
forwards to a real lab Prometheus (which ignores both) and records what gacheck sent.
"""

from __future__ import annotations

import pytest

from gacheck.core.models import Status
from tests.prometheus.helpers import context, result
from tests.prometheus.recording_proxy import RecordingProxy

RATIO = """
[[gates]]
id = "guardian_denial_rate"
kind = "ratio"
title = "denial rate"
numerator = 'lukhas_guardian_decision_total{outcome="deny"}'
denominator = "lukhas_guardian_decision_total"
threshold = { max = "1%" }
"""


def test_every_request_refuses_partial_responses_and_names_the_tenant(promlab, tmp_path):
    lab = promlab("healthy")
    with RecordingProxy(lab.url) as proxy:
        ctx = context(tmp_path, proxy.url, lab.end, RATIO, 'tenant = "lukhas"\n')
        assert result(ctx).status is Status.PASS
        seen = list(proxy.requests)
    queries = [r for r in seen if r.path.startswith("/api/v1/query")]
    assert len(queries) >= 3  # probe, numerator check, range query
    for request in queries:
        assert request.params.get("partial_response") == ["false"], request
        assert request.headers.get("x-scope-orgid") == "lukhas", request


def test_partial_responses_can_be_allowed_and_the_header_given_directly(promlab, tmp_path):
    lab = promlab("healthy")
    with RecordingProxy(lab.url) as proxy:
        ctx = context(tmp_path, proxy.url, lab.end, RATIO,
                      'partial_response = true\nheaders = { "X-Scope-OrgID" = "team-a" }\n')
        assert result(ctx).status is Status.PASS
        seen = proxy.queries()
    assert {r.params["partial_response"][0] for r in seen} == {"true"}
    assert {r.headers["x-scope-orgid"] for r in seen} == {"team-a"}


def test_the_alerts_gate_sends_the_tenant_to_the_rules_api_too(promlab, tmp_path):
    lab = promlab("healthy")
    gate = """
[[gates]]
id = "critical_alerts"
kind = "alerts"
title = "no critical alerts"
"""
    with RecordingProxy(lab.url) as proxy:
        res = result(context(tmp_path, proxy.url, lab.end, gate, 'tenant = "lukhas"\n'))
        rules = [r for r in proxy.requests if r.path == "/api/v1/rules"]
    assert res.status is Status.PASS
    assert rules and rules[0].headers.get("x-scope-orgid") == "lukhas"
    assert res.evidence.details["rules_source"] == proxy.url


def test_a_tenant_that_contradicts_the_header_is_an_error(promlab, tmp_path):
    lab = promlab("healthy")
    ctx = context(tmp_path, lab.url, lab.end, RATIO,
                  'tenant = "a"\nheaders = { "X-Scope-OrgID" = "b" }\n')
    res = result(ctx)
    assert res.status is Status.ERROR
    assert "contradicts headers.X-Scope-OrgID" in res.message


@pytest.mark.parametrize("value", ["maybe", 2])
def test_partial_response_must_be_a_boolean(tmp_path, value):
    from datetime import UTC, datetime

    from gacheck.core.errors import ConfigError

    with pytest.raises(ConfigError, match=r"prometheus\.partial_response"):
        context(tmp_path, "http://127.0.0.1:9", datetime.now(UTC), RATIO,
                f"partial_response = {value!r}\n".replace("'", '"'))


def test_a_rules_url_that_is_not_http_is_the_gates_error(promlab, tmp_path):
    lab = promlab("healthy")
    ctx = context(tmp_path, lab.url, lab.end, RATIO, 'rules_url = "vmalert:8880"\n')
    res = result(ctx)
    assert res.status is Status.ERROR
    assert "rules_url must look like http://" in res.message
