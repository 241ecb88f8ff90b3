"""The research kinds that read Prometheus, on the ``research`` history (the façade's HTTP
side generated too): Guardian's deny reasons and coverage holes, the load gate's server view,
and ``gacheck demo`` on the research profile end to end (its idempotency, rate-limit and
examples gates against the stand-in)."""

from __future__ import annotations

import json
import re
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pytest

from gacheck.context import Context, Overrides
from gacheck.run import engine
from gacheck.run.config_binding import load_config
from gacheck.standin.facade import Behaviour, StandinFacade

ROOT = Path(__file__).resolve().parents[2]
PROFILE = ROOT / "config" / "research-audit.toml"

pytestmark = pytest.mark.prometheus


def run(block: str, tmp_path: Path, lab, at: datetime | None = None,
        facade_url: str | None = None):
    path = tmp_path / "gates.toml"
    path.write_text("[[gates]]\n" + textwrap.dedent(block), encoding="utf-8")
    config = load_config(path)
    ctx = Context(at=at or lab.end, config=config, repo=tmp_path, audit_dir=tmp_path / "a",
                  overrides=Overrides(prometheus_url=lab.url, facade_url=facade_url))
    gate = config.gates[0]
    return engine.to_result(gate, engine.measure(gate, ctx), 0.0, ctx)


BREAKDOWN = """
id = "coverage"
kind = "guardian_breakdown"
title = "Guardian coverage"
selector = '{job="lukhas-facade"}'
exempt_routes = ["/health", "/v1/models"]
"""


def test_deny_reasons_with_shares_and_the_route_guardian_never_decides(promlab,
                                                                       tmp_path) -> None:
    lab = promlab("research")
    result = run(BREAKDOWN, tmp_path, lab)
    assert result.status.value == "fail" and result.value == 1
    details = result.evidence.details
    assert details["coverage_holes"] == list(lab.scenario.facts["coverage_holes"])
    reason, share = lab.scenario.facts["top_reason"]
    top = details["top_reasons"]
    assert top[0]["reason"] == reason and top[0]["share"] == pytest.approx(share, abs=0.03)
    assert [r["reason"] for r in top] == ["pii_detected", "harmful_content", "prompt_injection",
                                         "rate_abuse"]
    assert sum(r["share"] for r in top) == pytest.approx(1.0, abs=1e-3)
    assert [f.code for f in result.evidence.findings] == ["policy-coverage-hole"]
    assert len(result.evidence.queries) == 3
    # control: a route exempted on purpose is no hole
    result = run(BREAKDOWN.replace('"/v1/models"]', '"/v1/models", "/v1/responses"]'),
                 tmp_path, lab)
    assert result.status.value == "pass", result.message


def test_without_traffic_by_route_coverage_cannot_be_told(promlab, tmp_path) -> None:
    result = run(BREAKDOWN, tmp_path, promlab("healthy"))
    assert result.status.value == "no_data"
    assert "no façade traffic by route" in result.message


LOAD = """
id = "load"
kind = "load"
title = "Synthetic load"
requests = 40
concurrency = 4
server_side = "required"
min_window = "3h"
"""


def test_the_load_is_compared_with_the_servers_own_p95(promlab, tmp_path) -> None:
    lab = promlab("research")
    with StandinFacade(Behaviour(latency_s=0.02)) as facade:
        result = run(LOAD + "disagreement_factor = 1000\n", tmp_path, lab, facade_url=facade.url)
        assert result.status.value == "pass", result.message
        server = result.evidence.details["server"]
        assert server["p95_s"] == pytest.approx(lab.scenario.facts["server_p95_seconds"],
                                                abs=1e-3)
        assert server["requests"] > 40
        assert [q.promql.split("(")[0] for q in result.evidence.queries] == [
            "histogram_quantile", "sum"]
        # a façade 12x slower than its own metrics say: the server under-reports
        facade.behaviour.latency_s = 0.3
        result = run(LOAD, tmp_path, lab, facade_url=facade.url)
        assert result.status.value == "warn"
        assert [f.code for f in result.evidence.findings] == ["load-p95-disagreement"]
        assert "under-reports" in result.evidence.findings[0].message
        # a server that counted fewer requests than were answered
        facade.behaviour.latency_s = 0.0
        block = LOAD + 'disagreement_factor = 1000\nserver_count_query = "vector(3)"\n'
        result = run(block, tmp_path, lab, facade_url=facade.url)
        assert [f.code for f in result.evidence.findings] == ["load-count-disagreement"]


def test_a_required_server_view_without_the_metrics_is_an_error(promlab, tmp_path) -> None:
    with StandinFacade() as facade:
        result = run(LOAD, tmp_path, promlab("healthy"), facade_url=facade.url)
    assert result.status.value == "error"
    assert "Prometheus has no server-side latency or count" in result.message


def test_the_profiles_prometheus_gates_on_the_research_history(promlab, tmp_path) -> None:
    lab = promlab("research")
    config = load_config(PROFILE)
    ctx = Context(at=lab.end, config=config, repo=ROOT, audit_dir=tmp_path,
                  overrides=Overrides(prometheus_url=lab.url))
    gate = config.gate("guardian_coverage")
    coverage = engine.to_result(gate, engine.measure(gate, ctx), 0.0, ctx)
    assert coverage.evidence.details["coverage_holes"] == ["/v1/responses"]
    # the idempotency counters of the history are assumed names no profile gate reads now:
    # the idempotency gate measures replays from the client (tests/research)
    assert not any(g.kind == "ratio" and "idempotency" in g.id for g in config.gates)


def _quick_profile(folder: Path) -> Path:
    """The research profile without what only makes this test wait: its ``settle`` waits give
    a real Prometheus one scrape to see the load, but the demo's Prometheus serves generated
    history and never scrapes the stand-in (30 s here); and the rate-limit curve of
    tests/research/test_rate_limit.py (4 steps of 3 s, which find the onset within 10% there)
    in place of the profile's 6 steps of 4 s (32 s of the demo's 45). The demo's history is
    the ``research`` lab's (``cached_demo``), which ends up to an hour ago: the load's
    server-side view reaches back 2 h, not 5 minutes."""
    text = PROFILE.read_text(encoding="utf-8")
    for pattern, replacement, count in (
            (r'(?m)^settle = "\d+s"', 'settle = "0s"', 2),
            (r"(?m)^steps = \[[^\]]*\]", "steps = [0.5, 0.9, 1.5, 2.0]", 1),
            (r'(?m)^step_time = "\d+s"', 'step_time = "3s"', 1),
            (r"(?m)^(server_latency_metric = .*)$", '\\1\nmin_window = "2h"', 1)):
        text, found = re.subn(pattern, replacement, text)
        assert found == count, f"the profile's {pattern} lines changed: update this test"
    path = folder / PROFILE.name
    path.write_text(text, encoding="utf-8")
    return path


def test_demo_runs_the_research_profile_against_a_stand_in_facade(
        run_cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cached_demo: str) -> None:
    monkeypatch.delenv("GACHECK_FACADE_TOKEN", raising=False)
    result = run_cli("demo", "--config", str(_quick_profile(tmp_path)), "--repo", str(ROOT),
                     "--days", "1", "--output-dir", str(tmp_path / "out"))
    assert result.code == 0, result.err
    [markdown] = (tmp_path / "out").glob("RESEARCH_AUDIT_*Z.md")
    [dated] = (tmp_path / "out").glob("RESEARCH_AUDIT_*Z.json")
    assert markdown.stem == dated.stem
    stamp = datetime.strptime(dated.stem.removeprefix("RESEARCH_AUDIT_"), "%Y%m%dT%H%M%SZ")
    audit = json.loads(dated.read_text(encoding="utf-8"))
    assert stamp.replace(tzinfo=UTC) == datetime.fromisoformat(audit["evaluated_at"])
    status = {g["id"]: g["status"] for g in audit["gates"]}
    assert status["openai_compatibility"] == "pass"
    assert status["guardrail_false_positives"] == "fail"  # the stand-in misjudges two probes
    assert status["guardian_coverage"] == "fail"  # /v1/responses has no Guardian decisions
    assert status["idempotency_replays"] == "pass"  # replays identical, one effect
    assert status["rate_limit_curve"] == "pass"  # the stand-in's 20/s bucket, found within 10%
    assert status["examples_run"] == "fail"  # two of the stand-in's docs examples are broken
    gates = {g["id"]: g for g in audit["gates"]}
    (curve,) = gates["rate_limit_curve"]["evidence"]["details"]["curve"]
    assert abs(curve["measured_rps"] / curve["declared_rps"] - 1) <= 0.1
    broken = {(f["file"], f["line"]) for f in gates["examples_run"]["evidence"]["findings"]}
    assert broken == {("streaming.md", 22), ("streaming.md", 32)}
    text = markdown.read_text(encoding="utf-8")
    assert "| `streaming.md:22` | python | ❌ fail |" in text
    assert "| 200% | 40 |" in text  # the curve's table
    assert (tmp_path / "out" / f"{markdown.stem}.rate_limit_curve.curve.png").is_file()
    assert status["streaming_first_token"] in ("pass", "warn", "fail")  # measured, judged
    assert status["synthetic_load"] in ("pass", "warn", "fail")
    assert not {s for s in status.values()} & {"error", "no_data", "skipped"}
    assert audit["verdict"] == "warn"  # every research gate is non-blocking
    assert "stand-in façade stopped" in result.err
