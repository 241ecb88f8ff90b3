"""The smoke gate against a real HTTP server on 127.0.0.1 that answers right, wrong, slowly, or not at all."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from gacheck.core.errors import ConfigError
from gacheck.core.models import Status
from gacheck.reports.markdown import render_markdown
from tests.support.facade_server import MODEL, FacadeServer
from tests.support.gates import audit_of

GATE = """
id = "facade_smoke"
kind = "http_smoke"
title = "Façade smoke"
retry_delay = "10ms"
"""


def checks(result) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    return {c["name"]: c for c in result.evidence.details["checks"]}


def test_default_checks_pass_on_an_openai_compatible_facade(run_gate, repo: Path, facade) -> None:
    result = run_gate(GATE, repo, facade_url=facade.url)

    assert result.status is Status.PASS
    assert result.value == 0
    assert result.message.endswith("all 5 checks passed")
    assert [(s["method"], s["path"]) for s in facade.behaviour.seen] == [
        ("GET", "/health"), ("GET", "/v1/models"), ("POST", "/v1/embeddings"),
        ("POST", "/v1/chat/completions"), ("POST", "/v1/chat/completions"),
    ]
    # The model is the first one the façade lists; the stream check asks for a stream.
    assert facade.behaviour.seen[2]["body"]["model"] == MODEL
    assert facade.behaviour.seen[4]["body"]["stream"] is True
    stream = checks(result)["chat completion (stream)"]
    assert stream["request"] == f"POST {facade.url}/v1/chat/completions"
    assert stream["status"] == 200 and stream["events"] == 2
    assert 0 <= stream["first_event_ms"] <= stream["latency_ms"]
    assert "body_excerpt" not in stream  # only failures carry the body
    assert f"model '{MODEL}' taken from GET /v1/models" in result.evidence.notes


def test_wrong_answers_fail_each_check_with_status_and_body(run_gate, repo: Path, facade) -> None:
    facade.behaviour.mode = "wrong"
    result = run_gate(GATE, repo, facade_url=facade.url)

    assert result.status is Status.FAIL
    assert result.value == 5
    health = checks(result)["health"]
    assert health["failures"] == ["status 500, expected 200"]
    assert health["body_excerpt"] == "<html>upstream error</html>"
    assert result.evidence.findings[0].message == (
        f"GET {facade.url}/health: status 500, expected 200"
    )
    # A wrong answer is never retried: one request per check.
    assert len(facade.behaviour.seen) == 5


def test_json_assertions_and_required_headers(run_gate, repo: Path, facade) -> None:
    result = run_gate(GATE + """
        require_headers = ["X-Trace-Id"]

        [[gates.checks]]
        name = "models"
        path = "/v1/models"
        require_headers = ["x-ratelimit-limit", "X-RateLimit-Reset"]
        expect_json = [
          { path = "object", equals = "list" },
          { path = "data.0.id", exists = true },
          { path = "error", exists = false },
          { path = "data", non_empty_list = true },
        ]

        [[gates.checks]]
        name = "wrong expectations"
        path = "/v1/models"
        expect_json = [
          { path = "object", equals = "dict" },
          { path = "data.0.owned_by", exists = true },
          { path = "object", non_empty_list = true },
        ]

        [[gates.checks]]
        name = "unknown route"
        path = "/v1/nothing"
        expect_status = 404
    """, repo, facade_url=facade.url)

    found = checks(result)
    assert found["models"]["required_headers"] == {
        "X-Trace-Id": True, "x-ratelimit-limit": True, "X-RateLimit-Reset": False,
    }
    assert found["models"]["failures"] == ["missing header(s) X-RateLimit-Reset"]
    assert found["wrong expectations"]["failures"] == [
        'JSON object = "list", expected "dict"',
        "JSON has no data.0.owned_by",
        'JSON object is not a non-empty list: "list"',
    ]
    assert found["unknown route"]["ok"] is True
    assert result.value == 2 and result.status is Status.FAIL


def test_slow_answers_fail_at_the_latency_limit_without_waiting_longer(run_gate, repo, facade) -> None:
    facade.behaviour.delay_s = 1.5
    started = time.monotonic()
    result = run_gate(GATE + """
        [[gates.checks]]
        path = "/health"
        max_latency = "300ms"
    """, repo, facade_url=facade.url)

    assert time.monotonic() - started < 1.4
    assert result.status is Status.FAIL  # the server was reached: a finding, not an error
    (check,) = result.evidence.details["checks"]
    assert check["failures"] == ["no complete answer within 0.3s"]
    assert check["attempts"] == 1


def test_stream_first_event_limit(run_gate, repo: Path, facade) -> None:
    facade.behaviour.first_event_delay_s = 0.6
    result = run_gate(GATE + """
        [[gates.checks]]
        name = "stream"
        method = "post"
        path = "/v1/chat/completions"
        body = { model = "m", stream = true, messages = [{ role = "user", content = "hi" }] }
        stream = true
        first_event_within = "200ms"
        max_latency = "5s"
    """, repo, facade_url=facade.url)

    (check,) = result.evidence.details["checks"]
    assert len(check["failures"]) == 1
    assert check["failures"][0].startswith("first event after 0.")
    assert check["failures"][0].endswith("limit 0.2s")
    assert check["first_event_ms"] >= 600


@pytest.mark.parametrize(("mode", "failure"), [
    ("no_done", "stream ended without data: [DONE]"),
    ("plain_stream", "content-type text/plain, expected text/event-stream"),
])
def test_broken_streams(run_gate, repo: Path, facade, mode: str, failure: str) -> None:
    facade.behaviour.mode = mode
    result = run_gate(GATE, repo, facade_url=facade.url)

    stream = checks(result)["chat completion (stream)"]
    assert stream["failures"] == [failure]
    assert "chat.completion.chunk" in stream["body_excerpt"]
    assert result.value == 1


def test_server_down_is_an_error_after_bounded_retries(run_gate, repo: Path) -> None:
    with FacadeServer() as gone:
        url = gone.url  # a port that was just closed: connection refused
    started = time.monotonic()
    result = run_gate(GATE, repo, facade_url=url)

    assert time.monotonic() - started < 5
    assert result.status is Status.ERROR
    assert result.message.startswith(f"could not reach {url} (5 checks): cannot connect:")
    attempts = [c["attempts"] for c in result.evidence.details["checks"]]
    assert attempts == [3, 1, 1, 1, 1]  # retried once it failed, then not again
    assert all(c["status"] is None for c in result.evidence.details["checks"])


def test_tls_error_is_reported_and_not_retried(run_gate, repo: Path, facade) -> None:
    result = run_gate(GATE, repo, facade_url=facade.url.replace("http://", "https://"))

    assert result.status is Status.ERROR
    first = result.evidence.details["checks"][0]
    assert first["failures"][0].startswith("TLS error:")
    assert first["attempts"] == 1


def test_token_is_sent_and_never_written(run_gate, repo, facade, monkeypatch) -> None:
    secret = "sk-test-0123456789abcdef"
    monkeypatch.setenv("SMOKE_TOKEN", secret)
    facade.behaviour.token = secret
    block = GATE + 'token_env = "SMOKE_TOKEN"\n'
    assert run_gate(block, repo, facade_url=facade.url).status is Status.PASS
    assert {s["authorization"] for s in facade.behaviour.seen} == {f"Bearer {secret}"}

    facade.behaviour.token = "another-token"  # now the server rejects ours and echoes it back
    result = run_gate(block, repo, facade_url=facade.url)
    dumped = result.model_dump_json()
    assert result.status is Status.FAIL
    assert secret not in dumped
    assert "bad token Bearer ***" in checks(result)["health"]["body_excerpt"]
    assert secret not in render_markdown(audit_of(result))


def test_missing_token_env_is_noted(run_gate, repo: Path, facade, monkeypatch) -> None:
    monkeypatch.delenv("SMOKE_TOKEN", raising=False)
    result = run_gate(GATE + 'token_env = "SMOKE_TOKEN"\n', repo, facade_url=facade.url)

    assert "env SMOKE_TOKEN is not set: requests were sent without a token" in result.evidence.notes
    assert {s["authorization"] for s in facade.behaviour.seen} == {None}


def test_base_url_from_config_when_no_override(run_gate, repo: Path, facade) -> None:
    result = run_gate(GATE + f'base_url = "{facade.url}/"\n', repo)

    assert result.status is Status.PASS
    assert result.evidence.details["base_url"] == facade.url


@pytest.mark.parametrize(("extra", "error"), [
    ('base_url = "ftp://127.0.0.1"\n', "gates[0].base_url"),
    ('[[gates.checks]]\npath = "/x"\nexpect_json = [{ path = "a", exists = true, equals = 1 }]\n',
     "gates[0].checks[0].expect_json[0]: give exactly one of equals, exists, non_empty_list"),
    ('[[gates.checks]]\npath = "x"\n', "gates[0].checks[0].path"),
    ('[[gates.checks]]\npath = "/x"\nmax_latency = "soon"\n', "gates[0].checks[0].max_latency"),
])
def test_config_mistakes_are_named(run_gate, repo: Path, extra: str, error: str) -> None:
    with pytest.raises(ConfigError, match=error.replace("[", r"\[").replace("]", r"\]")):
        run_gate(GATE + extra, repo)


def test_markdown_table_excerpts_and_curl(run_gate, repo, facade, monkeypatch) -> None:
    monkeypatch.setenv("SMOKE_TOKEN", "sk-secret-value-42")
    facade.behaviour.mode = "no_done"
    result = run_gate(GATE + 'token_env = "SMOKE_TOKEN"\n', repo, facade_url=facade.url)
    text = render_markdown(audit_of(result))

    assert "| Check | Request | Status | Latency | Required headers | Result |" in text
    assert f"| health | GET http://127.0.0.1:{facade.url.rsplit(':', 1)[1]}/health | 200 |" in text
    assert "❌ stream ended without data: \\[DONE\\] |" in text
    assert "Body excerpts of failed checks:" in text
    body = json.dumps({"model": MODEL, "input": "gacheck smoke test"})
    assert f"-d '{body}' -H \"Authorization: Bearer ${{SMOKE_TOKEN}}\"" in text
    assert "sk-secret-value-42" not in text
