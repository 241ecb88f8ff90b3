"""``rate_limit`` against the stand-in's real token bucket on 127.0.0.1, and its faults.

Every load here is small: a 20 requests/s limit, a few steps of 2-3 s (at most ~250 requests
per test). Fixtures are this module's own.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from gacheck.context import Context, Overrides
from gacheck.core.models import GateResult, Status
from gacheck.run import engine
from gacheck.run.config_binding import load_config
from gacheck.standin.facade import Behaviour, StandinFacade
from gacheck.standin.limits import Limiter

TOKEN = "rl-key-0c4f"
LIMIT = 20.0
GATE = """
id = "curve"
kind = "rate_limit"
title = "Rate limiter curve"
token_env = "RL_TOKEN"
server_side = "off"
routes = [
  { method = "POST", path = "/v1/responses", body = { model = "m", input = "ping" } },
]
"""
NO_PAUSE = 'cooldown = "0s"\n'
"""No pause for the bucket to refill between steps: only the first test's assertions depend on
one (it keeps the default, the reset the headers announce + 0.2 s); the others would wait 1.2 s
before and after each step for nothing."""
SHORT = 'steps = [0.5, 1.5, 2.0]\nstep_time = "2s"\n' + NO_PAUSE
ALL_RATE_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset",
                    "x-ratelimit-limit-requests", "x-ratelimit-remaining-requests",
                    "x-ratelimit-reset-requests", "x-ratelimit-limit-tokens",
                    "x-ratelimit-remaining-tokens", "x-ratelimit-reset-tokens")


@pytest.fixture
def facade(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., StandinFacade]]:
    """A stand-in limiting /v1/responses at LIMIT per second; keyword arguments go to the
    limiter (its faults) or, with ``behaviour=...``, to the façade."""
    monkeypatch.setenv("RL_TOKEN", TOKEN)
    started: list[StandinFacade] = []

    def start(behaviour: dict[str, object] | None = None, **limiter: object) -> StandinFacade:
        limits = Limiter(limits={"/v1/responses": LIMIT}, **limiter)  # type: ignore[arg-type]
        server = StandinFacade(Behaviour(token=TOKEN, limiter=limits,
                                         **(behaviour or {})))  # type: ignore[arg-type]
        started.append(server.__enter__())
        return server

    yield start
    for server in started:
        server.__exit__()


@pytest.fixture
def evaluate(tmp_path: Path) -> Callable[[str, str | None], GateResult]:
    def run(block: str, url: str | None) -> GateResult:
        path = tmp_path / "gates.toml"
        path.write_text("[[gates]]\n" + textwrap.dedent(block), encoding="utf-8")
        config = load_config(path)
        ctx = Context(at=datetime.now(UTC), config=config, repo=tmp_path,
                      audit_dir=tmp_path / "audits", overrides=Overrides(facade_url=url))
        gate = config.gates[0]
        return engine.to_result(gate, engine.measure(gate, ctx), 0.0, ctx)

    return run


def _steps(result: GateResult) -> dict[float, dict[str, object]]:
    (curve,) = result.evidence.details["curve"]
    return {s["share"]: s for s in curve["steps"]}


def test_the_curve_finds_the_onset_within_ten_percent(facade, evaluate) -> None:
    server = facade()
    result = evaluate(GATE + 'steps = [0.5, 0.9, 1.5, 2.0]\nstep_time = "3s"\n', server.url)
    assert result.status is Status.PASS, result.message
    (curve,) = result.evidence.details["curve"]
    assert curve["declared_rps"] == LIMIT and curve["declared_by"] == "X-RateLimit"
    assert curve["cooldown_s"] == 1.2  # the 1 s reset the headers announce, + 0.2 s
    steps = _steps(result)
    assert steps[0.5]["refused"] == steps[0.9]["refused"] == 0
    assert steps[1.5]["refused"] and steps[2.0]["refused"]
    assert all(s["headers_consistent"] and s["server_errors"] == 0 for s in steps.values())
    # what the limiter let through once it refused: its refill rate, 20/s
    assert abs(curve["measured_rps"] / LIMIT - 1) <= 0.1 and result.value <= 0.1
    assert steps[2.0]["offered_rps"] == pytest.approx(40, rel=0.1)
    assert steps[2.0]["refused_share"] > steps[1.5]["refused_share"] > 0
    text = _markdown(result)
    assert "| Step | Target req/s | Offered req/s | Accepted req/s |" in text
    assert "| 200% | 40 |" in text and "POST /v1/responses" in text


def test_a_limit_header_that_lies_fails_with_the_reason(facade, evaluate) -> None:
    server = facade(declared_factor=2.0)  # declares 40/s, refuses above 20/s
    result = evaluate(GATE + 'steps = [0.25, 0.9, 1.5]\nstep_time = "2s"\n' + NO_PAUSE,
                      server.url)
    assert result.status is Status.FAIL
    codes = {f.code for f in result.evidence.findings}
    assert "rl-early-refusal" in codes
    assert "at 90% of the declared limit" in result.message
    assert "refused with 429 below the declared limit" in result.message
    assert _steps(result)[0.25]["refused"] == 0
    assert result.value == pytest.approx(0.5, abs=0.1)  # 20 of the 40 declared


def test_a_limiter_that_never_refuses_fails(facade, evaluate) -> None:
    server = facade(never_refuse=True)
    result = evaluate(GATE + SHORT, server.url)
    assert result.status is Status.FAIL
    assert {f.code for f in result.evidence.findings} == {"rl-never-refuses"}
    assert "the limiter never refuses" in result.message
    assert result.value == pytest.approx(1.0, abs=0.1)  # all of 2x the limit let through


def test_a_500_under_burst_fails(facade, evaluate) -> None:
    server = facade(error_under_burst=True)
    result = evaluate(GATE + SHORT, server.url)
    assert result.status is Status.FAIL
    assert "rl-5xx" in {f.code for f in result.evidence.findings}
    assert _steps(result)[2.0]["server_errors"] > 0 and _steps(result)[0.5]["server_errors"] == 0
    assert "5xx" in result.message


def test_a_429_without_retry_after_is_inconsistent(facade, evaluate) -> None:
    server = facade(behaviour={"omit_headers": ("Retry-After",)})
    result = evaluate(GATE + 'steps = [0.5, 2.0]\nstep_time = "2s"\n' + NO_PAUSE, server.url)
    assert result.status is Status.FAIL
    assert any(f.code == "rl-headers" and "a 429 without Retry-After" in f.message
               for f in result.evidence.findings)
    assert _steps(result)[2.0]["headers_consistent"] is False


def test_no_headers_and_no_limit_is_an_error_and_a_configured_limit_works(facade,
                                                                          evaluate) -> None:
    server = facade(behaviour={"omit_headers": ALL_RATE_HEADERS})
    result = evaluate(GATE + SHORT, server.url)
    assert result.status is Status.ERROR
    assert "without rate-limit headers" in result.message and "sets no limit" in result.message
    result = evaluate(GATE + SHORT + "limit = 20\n", server.url)
    assert result.evidence.details["curve"][0]["declared_by"] == "config limit"
    # no reset field on any 429 now: the curve is measured, the headers judged inconsistent
    assert result.status is Status.FAIL and "a 429 without a reset field" in result.message


def test_a_header_that_does_not_parse_is_an_error(facade, evaluate) -> None:
    server = facade(behaviour={"header_values": {"X-RateLimit-Limit": "twenty"}})
    result = evaluate(GATE + SHORT, server.url)
    assert result.status is Status.ERROR
    assert "X-RateLimit-Limit: 'twenty' does not parse as a number" in result.message


def test_ietf_fields_alone_declare_the_limit(facade, evaluate) -> None:
    server = facade(ietf=True, behaviour={"omit_headers": ALL_RATE_HEADERS})
    result = evaluate(GATE + 'steps = [0.5, 2.0]\nstep_time = "2s"\n' + NO_PAUSE, server.url)
    (curve,) = result.evidence.details["curve"]
    assert curve["declared_by"] == "RateLimit-Policy" and curve["declared_rps"] == LIMIT
    assert _steps(result)[2.0]["refused"] > 0


def test_only_loopback_and_the_caps_are_hard(facade, evaluate) -> None:
    server = facade()
    result = evaluate(GATE + 'base_url = "http://192.0.2.10:8000"\n', None)
    assert result.status is Status.ERROR and result.message.startswith("refusing to load")
    result = evaluate(GATE + SHORT + "max_requests = 10\n", server.url)
    assert result.status is Status.ERROR
    assert "does not fit the caps left" in result.message
    assert server.behaviour.requests == 1  # the one request that read the limit


def _markdown(result: GateResult) -> str:
    """The gate's section as the audit's Markdown template renders it."""
    from gacheck.reports.markdown import _environment

    return str(_environment().get_template(f"gates/{result.kind}.md.j2").render(
        g=result, extra={}))


def test_the_servers_refusal_count_beside_the_clients() -> None:
    from types import SimpleNamespace

    from gacheck.gates.rate_limit.judge import _compare

    params = SimpleNamespace(server_tolerance=0.1)
    curve = {"path": "/v1/models", "steps": [{"refused": 40}, {"refused": 60}]}
    view: dict[str, object] = {"routes": {}, "findings": []}
    _compare(view, params, curve, 104.0)  # within 10%
    _compare(view, params, curve, None)
    assert view["findings"] == []
    assert view["routes"]["/v1/models"]["note"] == "no lukhas_ratelimit_exceeded_total series"
    _compare(view, params, curve, 70.0)
    (finding,) = view["findings"]  # type: ignore[misc]
    assert finding.severity == "warning"
    assert finding.message == "/v1/models: the server counted 70 refusals, the client saw 100 429s"
