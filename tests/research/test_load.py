"""``load``: a bounded load on 127.0.0.1 against a stand-in with a known latency."""

from __future__ import annotations

from gacheck.core.models import Status

GATE = """
id = "load"
kind = "load"
title = "Synthetic load"
token_env = "FACADE_TOKEN"
server_side = "off"
"""


def test_n_requests_at_concurrency_c_and_their_latency(run_gate, repo, standin) -> None:
    standin.behaviour.latency_s = 0.03
    result = run_gate(GATE + "requests = 60\nconcurrency = 4\n", repo, standin.url)
    assert result.status is Status.PASS, result.message
    client = result.evidence.details["client"]
    assert client["requests"] == client["ok"] == 60 and client["errors"] == {}
    assert standin.behaviour.requests == 60  # exactly N reached the server
    assert client["stopped_by"] == "requests"
    # every answer waited at least the server's 30 ms: p50 cannot be below it
    assert 30 <= client["p50_ms"] <= client["p95_ms"] <= client["p99_ms"] <= client["max_ms"]
    assert round(result.value * 1000, 2) == client["p95_ms"]
    assert client["per_route"] == {
        "embeddings": {"sent": 30, "ok": 30, "p95_ms": client["per_route"]["embeddings"]["p95_ms"]},
        "chat completions": {"sent": 30, "ok": 30,
                             "p95_ms": client["per_route"]["chat completions"]["p95_ms"]}}
    seen = {r["path"]: r["body"] for r in result.evidence.details["routes"]}
    assert seen["/v1/embeddings"] == {"input": "test embedding", "model": "text-embedding-ada-002"}


def test_the_time_limit_stops_the_load_first(run_gate, repo, standin) -> None:
    standin.behaviour.latency_s = 0.2
    block = GATE + 'requests = 10000\nconcurrency = 2\ntime_limit = "1s"\nmin_samples = 1\n'
    result = run_gate(block, repo, standin.url)
    client = result.evidence.details["client"]
    assert client["stopped_by"] == "time_limit"
    assert 0 < client["requests"] < 10000 and client["requests"] == standin.behaviour.requests


def test_errors_above_the_limit_fail_the_gate(run_gate, repo, standin) -> None:
    standin.behaviour.deny_words = ("hello",)  # the seed's chat body says "Hello": 403
    result = run_gate(GATE + "requests = 60\nconcurrency = 3\n", repo, standin.url)
    assert result.status is Status.FAIL
    client = result.evidence.details["client"]
    assert client["errors"] == {"HTTP 403": 30} and client["error_rate"] == 0.5
    assert [f.code for f in result.evidence.findings] == ["load-errors"]
    # control: the same load within a generous error budget passes
    result = run_gate(GATE + "requests = 60\nconcurrency = 3\nmax_error_rate = 0.6\n", repo,
                      standin.url)
    assert result.status is Status.PASS, result.message


def test_too_few_answers_for_a_p95_is_an_error(run_gate, repo, standin) -> None:
    result = run_gate(GATE.replace('token_env = "FACADE_TOKEN"\n', "") + "requests = 30\n",
                      repo, standin.url)
    assert result.status is Status.ERROR
    assert "0 2xx answers, fewer than min_samples 20" in result.message


def test_only_loopback_unless_the_host_is_allowed(run_gate, repo, standin) -> None:
    block = GATE + 'base_url = "http://192.0.2.10:8000"\n'
    result = run_gate(block, repo)
    assert result.status is Status.ERROR
    assert result.message.startswith("refusing to load 192.0.2.10")
    assert standin.behaviour.requests == 0
    # control: localhost is loopback
    port = standin.url.rsplit(":", 1)[1]
    result = run_gate(GATE + f'base_url = "http://localhost:{port}"\nrequests = 20\n', repo)
    assert result.status is Status.PASS, result.message


def test_a_required_server_side_without_prometheus_is_an_error(run_gate, repo, standin) -> None:
    head = '[prometheus]\nurl = "http://127.0.0.1:9"\n'
    block = GATE.replace('server_side = "off"', 'server_side = "required"') + "requests = 20\n"
    result = run_gate(block, repo, standin.url, head=head)
    assert result.status is Status.ERROR
    assert "server side unavailable: cannot reach Prometheus" in result.message
    # control: "auto" reports the client side and says the server side was not read
    result = run_gate(block.replace('"required"', '"auto"'), repo, standin.url, head=head)
    assert result.status is Status.PASS
    assert any(n.startswith("server side not read") for n in result.evidence.notes)
