"""``validate --check-queries`` checks alerts gates too: the ALERTS selector must be accepted (no
alert firing is fine), and alerting rules of the gate's severities must be loaded."""

from __future__ import annotations

from tests.prometheus.helpers import default_prometheus_gates


def _check(promlab, tmp_path, run_cli, scenario: str):  # type: ignore[no-untyped-def]
    lab = promlab(scenario)
    config = tmp_path / "gates.toml"
    config.write_text(default_prometheus_gates(), encoding="utf-8")
    return run_cli("validate", "--config", str(config), "--check-queries",
                   "--at", str(int(lab.end.timestamp())), "--prometheus-url", lab.url)


def test_an_alerts_gate_with_rules_loaded_checks_ok(promlab, tmp_path, run_cli):
    done = _check(promlab, tmp_path, run_cli, "healthy")
    assert done.code == 0, done.out
    assert "OK     critical_alerts: accepted; 0 alerts firing at this instant" in done.out
    assert 'ALERTS{alertstate="firing", severity=~"critical"}' in done.out
    assert ("OK     critical_alerts: 3 alerting rules with severity critical loaded "
            "(CriticalGuardianDenialRate, GuardianPDPLoadFailure, HealthCheckFailing)") in done.out


def test_an_alerts_gate_without_rules_is_reported_empty(promlab, tmp_path, run_cli):
    done = _check(promlab, tmp_path, run_cli, "no_alert_rules")
    assert done.code == 2
    assert ("EMPTY  critical_alerts: no alerting rule with severity critical is loaded: nothing "
            "could fire") in done.out
