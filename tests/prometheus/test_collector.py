"""The Prometheus collector against a loopback server with recorded payloads.

What a real Prometheus will not do on demand (fail twice then answer, hang, send warnings,
not be Prometheus) is played back here; the real server is in the gate tests.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from gacheck.collectors import process
from gacheck.collectors.prometheus.client import client, display_url
from gacheck.collectors.prometheus.window import choose_step, points, range_window
from gacheck.core.errors import CollectorError
from tests.prometheus.canned import Answer, CannedPrometheus, error, vector
from tests.prometheus.helpers import context, result

AT = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
GATE = """
[[gates]]
id = "p95"
kind = "promql_sustained"
title = "p95"
query = "my:p95"
threshold = { max = 1 }
"""
OK_PROBE = Answer(body=vector(({}, AT.timestamp(), "1")))


def matrix(values: list[str], labels: dict[str, str] | None = None, warnings=None) -> Answer:
    start = AT.timestamp() - 60 * (len(values) - 1)
    body = {"status": "success", "data": {"resultType": "matrix", "result": [
        {"metric": labels or {}, "values": [[start + 60 * i, v] for i, v in enumerate(values)]}]}}
    if warnings:
        body["warnings"] = warnings
    return Answer(body=body)


def test_step_grows_to_keep_a_week_at_15s_under_the_point_limit():
    assert choose_step(48 * 3600, 60, 11000) == 60
    grown = choose_step(7 * 86400, 15, 11000)
    assert grown == 55 and points(7 * 86400, grown) <= 11000 < points(7 * 86400, 54)
    window = range_window(AT, 7 * 86400, 15, 11000)
    assert window.grew and "15s to 55s" in (window.note() or "")
    assert window.end <= AT and (AT - window.end).total_seconds() < 55 and window.points <= 11000
    assert window.end.timestamp() % 55 == 0  # instants on the step grid, shared by evaluations
    assert range_window(AT, 3600, 60, 11000).note() is None


def test_queries_carry_the_evaluation_instant_and_prometheus_warnings_reach_evidence(tmp_path):
    answers = [OK_PROBE, matrix(["0.5"] * 61, warnings=["result truncated by a test"])]
    toml = GATE.replace('query = "my:p95"', 'query = "my:p95"\nwindow = "1h"')
    with CannedPrometheus(answers) as server:
        ctx = context(tmp_path, server.url, AT, toml)
        gate = result(ctx)
        probe, query, coverage = server.queries()
    assert probe.params["time"] == f"{AT.timestamp():.3f}"
    assert query.path == "/api/v1/query_range" and query.params["query"] == "my:p95"
    assert float(query.params["end"]) == AT.timestamp()
    assert float(query.params["start"]) == AT.timestamp() - 3600 and query.params["step"] == "60"
    assert query.params["timeout"] == "10000ms"  # [prometheus].timeout, for Prometheus to enforce
    # then the window's monitoring coverage, same window and step, recorded as evidence
    assert "count(count_over_time(up[59999ms]))" in coverage.params["query"]
    assert coverage.params["start"] == query.params["start"] and coverage.params["step"] == "60"
    record = gate.evidence.queries[-1]
    assert record.kind == "range" and record.end == AT and record.samples == 61
    assert record.warnings == ["result truncated by a test"]
    assert "Prometheus warning: result truncated by a test" in gate.evidence.notes
    # a partial answer cannot pass (the values alone would): error, naming the warning
    assert gate.status.value == "error"
    assert "answered with warnings" in gate.message and "result truncated by a test" in gate.message


def test_a_warning_matching_an_allowed_pattern_lets_the_gate_pass(tmp_path):
    answers = [OK_PROBE, matrix(["0.5"] * 61, warnings=["result truncated by a test"])]
    toml = GATE.replace('query = "my:p95"', 'query = "my:p95"\nwindow = "1h"')
    with CannedPrometheus(answers) as server:
        gate = result(context(tmp_path, server.url, AT, toml,
                              "allowed_warnings = ['^result truncated by a test$']\n"))
    assert gate.status.value == "pass"
    assert gate.evidence.queries[-1].warnings == ["result truncated by a test"]  # still recorded


def test_5xx_is_retried_then_prometheus_own_error_is_the_message(tmp_path):
    busy = Answer(503, error("unavailable", "TSDB not ready"))
    with CannedPrometheus([busy, busy, OK_PROBE]) as server:
        ctx = context(tmp_path, server.url, AT, GATE, "retries = 2\n")
        assert client(ctx) is not None  # two 503s, then the probe succeeds
    with CannedPrometheus([busy]) as server:
        ctx = context(tmp_path, server.url, AT, GATE)
        gate = result(ctx)
        assert len(server.queries()) == 2  # one try and one retry (retries = 1)
    assert gate.status.value == "error"
    assert gate.message == "Prometheus error (unavailable, HTTP 503): TSDB not ready"


def test_bad_promql_gives_the_parse_error_and_the_query(tmp_path):
    bad = Answer(400, error("bad_data", 'invalid parameter "query": 1:8: parse error: '
                                        "unexpected right parenthesis ')'"))
    with CannedPrometheus([OK_PROBE, bad]) as server:
        gate = result(context(tmp_path, server.url, AT, GATE))
    assert gate.status.value == "error"
    assert "Prometheus error (bad_data, HTTP 400)" in gate.message
    assert "parse error: unexpected right parenthesis" in gate.message
    assert "(query: my:p95)" in gate.message


def test_a_slow_answer_hits_the_per_query_timeout(tmp_path):
    with CannedPrometheus([Answer(delay=3.0)]) as server:
        ctx = context(tmp_path, server.url, AT, GATE, 'timeout = "0.5s"\nretries = 0\n')
        with pytest.raises(CollectorError, match=r"did not answer within 0\.5s"):
            client(ctx)


def test_something_that_is_not_prometheus_is_named_so(tmp_path):
    page = Answer(body="<html>login</html>", content_type="text/html")
    with CannedPrometheus([page]) as server:
        gate = result(context(tmp_path, server.url, AT, GATE))
    assert gate.status.value == "error"
    assert "did not answer like Prometheus" in gate.message


def test_bearer_token_is_sent_and_never_shown(tmp_path, monkeypatch):
    monkeypatch.setenv("TEST_PROM_TOKEN", "s3cr3t-token-value")
    refused = Answer(401, "Unauthorized: token s3cr3t-token-value rejected", content_type="text/plain")
    with CannedPrometheus([refused]) as server:
        ctx = context(tmp_path, server.url, AT, GATE, 'bearer_token_env = "TEST_PROM_TOKEN"\n'
                      'headers = { "X-Scope-OrgID" = "lukhas" }\n')
        gate = result(ctx)
        sent = server.seen[0].headers
    assert sent["Authorization"] == "Bearer s3cr3t-token-value"
    assert sent["X-Scope-OrgID"] == "lukhas"
    assert gate.status.value == "error" and "HTTP 401" in gate.message
    assert "s3cr3t" not in gate.model_dump_json()


def test_a_named_but_unset_secret_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.delenv("TEST_PROM_TOKEN", raising=False)
    ctx = context(tmp_path, "http://127.0.0.1:9", AT, GATE, 'bearer_token_env = "TEST_PROM_TOKEN"\n')
    gate = result(ctx)
    assert gate.message == ("env variable TEST_PROM_TOKEN (named by [prometheus].bearer_token_env) "
                            "is not set")


def test_credentials_in_the_url_never_appear(tmp_path, unreachable_prometheus_url):
    url = unreachable_prometheus_url.replace("http://", "http://admin:hunter2pw@")
    assert display_url(url) == unreachable_prometheus_url
    gate = result(context(tmp_path, url, AT, GATE))
    assert gate.status.value == "error"
    assert "cannot reach Prometheus at " + unreachable_prometheus_url in gate.message
    assert "hunter2pw" not in gate.model_dump_json()


ALERTS_GATE = """
[[gates]]
id = "critical"
kind = "alerts"
title = "critical"
"""
NO_ALERTS = Answer(body={"status": "success", "data": {"resultType": "matrix", "result": []}})
# the coverage query's answer: scrapes seen at every instant of the 48h window, step 1m
WATCHED = matrix(["1"] * (48 * 60 + 1), {"signal": "scrapes"})
ONE_PIECE = 'chunk = "3d"\n'  # the 48h coverage query as one request: one canned answer


def test_alerts_gate_is_an_error_when_the_rules_cannot_be_listed(tmp_path):
    hidden = Answer(404, "404 page not found", content_type="text/plain")
    with CannedPrometheus([OK_PROBE, NO_ALERTS, WATCHED, hidden]) as server:
        gate = result(context(tmp_path, server.url, AT, ALERTS_GATE, ONE_PIECE))
        paths = [s.path for s in server.seen]
    assert paths == ["/api/v1/query", "/api/v1/query", "/api/v1/query_range", "/api/v1/rules"]
    assert gate.status.value == "error" and gate.value is None
    assert "could not list the alerting rules" in gate.message and "HTTP 404" in gate.message


def test_alerts_gate_passes_when_a_rule_of_the_severity_is_loaded(tmp_path):
    rules = Answer(body={"status": "success", "data": {"groups": [{"name": "g", "rules": [
        {"type": "alerting", "name": "Down", "labels": {"severity": "critical"}, "health": "ok",
         "lastEvaluation": "2026-11-25T11:59:40Z"},
        {"type": "alerting", "name": "Slow", "labels": {"severity": "warning"},
         "health": "unknown", "lastEvaluation": "0001-01-01T00:00:00Z"}]}]}})
    with CannedPrometheus([OK_PROBE, NO_ALERTS, WATCHED, rules]) as server:
        gate = result(context(tmp_path, server.url, AT, ALERTS_GATE, ONE_PIECE))
        query = server.seen[1].params["query"]
    assert query == 'ALERTS{alertstate="firing", severity=~"critical"}[2d]'
    assert gate.status.value == "pass" and gate.evidence.details["rules_loaded"] == ["Down"]


@pytest.fixture(scope="module")
def self_signed(tmp_path_factory) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 that no system trusts, made with the openssl command."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    process.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                 "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                 "-keyout", str(key), "-out", str(cert)], timeout=60, check=True)
    return cert, key


def test_tls_is_verified_by_default_and_a_ca_bundle_lets_it_pass(tmp_path, self_signed):
    cert, _ = self_signed
    with CannedPrometheus([OK_PROBE], tls=self_signed) as server:
        refused = result(context(tmp_path, server.url, AT, GATE))
        (tmp_path / "ca.pem").write_bytes(cert.read_bytes())
        trusted = context(tmp_path, server.url, AT, GATE, 'ca_bundle = "ca.pem"\n')
        assert client(trusted).url == server.url  # the probe got through
    assert refused.status.value == "error"
    assert refused.message.startswith(f"TLS verification failed for Prometheus at {server.url}")


def test_with_many_series_the_evidence_keeps_the_worst(tmp_path):
    n, step = 61, 60
    start = AT.timestamp() - step * (n - 1)
    body = {"status": "success", "data": {"resultType": "matrix", "result": [
        {"metric": {"route": f"/r{k:03d}"},
         "values": [[start + step * i, "2" if k == 77 else "0.5"] for i in range(n)]}
        for k in range(120)]}}
    toml = GATE.replace('query = "my:p95"', 'query = "my:p95"\nwindow = "1h"')
    with CannedPrometheus([OK_PROBE, Answer(body=body)]) as server:
        gate = result(context(tmp_path, server.url, AT, toml))
    details = gate.evidence.details
    assert details["series_count"] == 120 and len(details["series"]) == 50
    assert details["worst_series"] == '{route="/r077"}'
    assert '{route="/r077"}' in [row["series"] for row in details["series"]]
    assert gate.status.value == "fail" and gate.value == 2


def test_a_counted_rule_never_evaluated_makes_alerts_an_error(tmp_path):
    # Prometheus lists a rule it has not evaluated yet as health "unknown" with Go's zero time.
    rules = Answer(body={"status": "success", "data": {"groups": [{"name": "slow-group", "rules": [
        {"type": "alerting", "name": "Down", "labels": {"severity": "critical"},
         "health": "unknown", "lastEvaluation": "0001-01-01T00:00:00Z"}]}]}})
    with CannedPrometheus([OK_PROBE, NO_ALERTS, WATCHED, rules]) as server:
        gate = result(context(tmp_path, server.url, AT, ALERTS_GATE, ONE_PIECE))
    assert gate.status.value == "error"
    assert "Down (group slow-group): never evaluated (health unknown)" in gate.message
    assert gate.evidence.details["rule_health"][0]["last_evaluation"] is None


def test_a_query_body_without_success_status_is_an_error_on_http_200(tmp_path):
    odd = Answer(body={"data": {"resultType": "matrix", "result": []}})  # no "status" at all
    with CannedPrometheus([OK_PROBE, odd]) as server:
        gate = result(context(tmp_path, server.url, AT, GATE))
    assert gate.status.value == "error"
    assert 'answered HTTP 200 without "status": "success"' in gate.message
