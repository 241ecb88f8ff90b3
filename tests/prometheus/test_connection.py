"""Reaching Prometheus end to end: unreachable, basic auth, and ``validate --check-queries``."""

from __future__ import annotations

from gacheck.core.models import Verdict
from gacheck.run.evaluation import evaluate
from tests.prometheus.helpers import LAB_AUTH, default_context, default_prometheus_gates, result


def test_unreachable_prometheus_gives_every_gate_one_clear_reason(
        tmp_path, unreachable_prometheus_url):
    ctx = default_context(tmp_path, unreachable_prometheus_url, _at())
    audit = evaluate(ctx)
    messages = {g.message for g in audit.gates}
    assert {g.status.value for g in audit.gates} == {"error"}
    assert messages == {f"cannot reach Prometheus at {unreachable_prometheus_url}: "
                        "connection refused"}
    assert audit.verdict is Verdict.INCOMPLETE


def test_cli_exits_3_when_prometheus_is_unreachable(tmp_path, run_cli, unreachable_prometheus_url):
    config = tmp_path / "gates.toml"
    config.write_text(default_prometheus_gates(), encoding="utf-8")
    done = run_cli("evaluate", "--config", str(config), "--repo", str(tmp_path),
                   "--prometheus-url", unreachable_prometheus_url, "--no-write")
    assert done.code == 3
    assert "connection refused" in done.out


def test_basic_auth_from_env_variables(promlab, tmp_path, monkeypatch):
    lab = promlab("healthy", auth=True)
    without = result(default_context(tmp_path, lab.url, lab.end), "soak_duration")
    assert without.status.value == "error" and "HTTP 401" in without.message

    monkeypatch.setenv("LAB_PROM_USER", LAB_AUTH.username)
    monkeypatch.setenv("LAB_PROM_PASSWORD", LAB_AUTH.password)
    config = default_prometheus_gates().replace("[prometheus]", (
        '[prometheus]\nbasic_auth_user_env = "LAB_PROM_USER"\n'
        'basic_auth_password_env = "LAB_PROM_PASSWORD"'))
    (tmp_path / "auth.toml").write_text(config, encoding="utf-8")
    from gacheck.context import Context, Overrides
    from gacheck.run.config_binding import load_config

    ctx = Context(at=lab.end, config=load_config(tmp_path / "auth.toml"), repo=tmp_path,
                  audit_dir=tmp_path / "out", overrides=Overrides(prometheus_url=lab.url))
    audit = evaluate(ctx)
    assert {g.id: g.status.value for g in audit.gates}["soak_duration"] == "pass"
    assert LAB_AUTH.password not in audit.model_dump_json()


def test_validate_check_queries_reports_an_empty_query(promlab, tmp_path, run_cli):
    lab = promlab("healthy")
    good = tmp_path / "good.toml"
    good.write_text(default_prometheus_gates(), encoding="utf-8")
    at = str(int(lab.end.timestamp()))
    done = run_cli("validate", "--config", str(good), "--check-queries", "--at", at,
                   "--prometheus-url", lab.url)
    assert done.code == 0, done.out
    assert "EMPTY" not in done.out and "OK     pdp_p95_latency" in done.out

    typo = tmp_path / "typo.toml"
    typo.write_text(default_prometheus_gates().replace(
        'metric = "lukhas_guardian_decision_duration_seconds"',
        'metric = "lukhas_guardian_decision_duration_second"'), encoding="utf-8")
    done = run_cli("validate", "--config", str(typo), "--check-queries", "--at", at,
                   "--prometheus-url", lab.url)
    assert done.code == 2
    assert "EMPTY  pdp_p95_latency" in done.out


def _at():
    from datetime import UTC, datetime

    return datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def test_validate_check_queries_without_prometheus_exits_3(tmp_path, run_cli,
                                                          unreachable_prometheus_url):
    config = tmp_path / "gates.toml"
    config.write_text(default_prometheus_gates(), encoding="utf-8")
    done = run_cli("validate", "--config", str(config), "--check-queries",
                   "--prometheus-url", unreachable_prometheus_url)
    assert done.code == 3
    assert "ERROR  soak_duration: cannot reach Prometheus" in done.out


def test_cli_evaluates_the_default_prometheus_gates_and_writes_the_audit(
        promlab, tmp_path, run_cli):
    import json

    lab = promlab("sustained_breach")
    config = tmp_path / "gates.toml"
    config.write_text(default_prometheus_gates(), encoding="utf-8")
    out = tmp_path / "audits"
    done = run_cli("evaluate", "--config", str(config), "--repo", str(tmp_path),
                   "--prometheus-url", lab.url, "--at", lab.end.isoformat(),
                   "--output-dir", str(out))
    assert done.code == 1, done.out  # fail: not ready
    audit = json.loads((out / "latest.json").read_text(encoding="utf-8"))
    statuses = {g["id"]: g["status"] for g in audit["gates"]}
    assert statuses == dict(lab.scenario.expected)
    p95 = next(g for g in audit["gates"] if g["id"] == "pdp_p95_latency")
    assert all(q["time"] or q["end"] for q in p95["evidence"]["queries"])
    assert {q["end"] for q in p95["evidence"]["queries"] if q["kind"] == "range"} == {
        lab.end.isoformat().replace("+00:00", "Z")}
