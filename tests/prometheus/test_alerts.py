"""``alerts`` on a real Prometheus: firing vs pending vs before the window, allow, rules."""

from __future__ import annotations

import pytest

from tests.prometheus.helpers import context, default_context, result


def stamp(instant) -> str:
    return instant.isoformat().replace("+00:00", "Z")


def test_only_alerts_firing_inside_the_window_count(promlab, tmp_path):
    lab = promlab("alerts_mixed")
    res = result(default_context(tmp_path, lab.url, lab.end), "critical_alerts")
    assert res.status.value == "fail" and res.value == 1
    rows = res.evidence.details["alerts"]
    assert [r["alertname"] for r in rows] == ["CriticalGuardianDenialRate"]
    firing = lab.scenario.facts["firing"]
    row = rows[0]
    assert row["first"] == stamp(lab.ago(firing.start))
    # the last evaluation that saw it firing is one rule interval before it resolved
    resolved = lab.ago(firing.stop).timestamp()
    assert resolved - 60 <= _ts(row["last"]) < resolved
    assert row["minutes_firing"] == pytest.approx(lab.scenario.facts["firing_minutes"], abs=1)
    assert [f.code for f in res.evidence.findings] == ["CriticalGuardianDenialRate"]
    assert res.evidence.details["rules_loaded"]  # the LUKHAS-like rules are loaded


def test_pending_earlier_and_other_severity_alerts_do_not_count(promlab, tmp_path):
    lab = promlab("alerts_quiet")
    res = result(default_context(tmp_path, lab.url, lab.end), "critical_alerts")
    assert res.status.value == "pass" and res.value == 0
    assert res.evidence.details["alerts"] == []


def test_other_severities_are_a_setting(promlab, tmp_path):
    lab = promlab("alerts_quiet")
    ctx = context(tmp_path, lab.url, lab.end, """
        [[gates]]
        id = "warnings"
        kind = "alerts"
        title = "warnings"
        severities = ["warning"]
    """)
    res = result(ctx)
    assert res.status.value == "fail"
    assert [r["alertname"] for r in res.evidence.details["alerts"]] == ["HighGuardianDenialRate"]


def test_allowed_alerts_are_listed_with_their_reason_and_do_not_count(promlab, tmp_path):
    lab = promlab("alerts_mixed")
    ctx = context(tmp_path, lab.url, lab.end, """
        [[gates]]
        id = "critical"
        kind = "alerts"
        title = "critical"
        allow = [{ alert = "CriticalGuardianDenialRate", reason = "load test on day 2" }]
    """)
    res = result(ctx)
    assert res.status.value == "pass" and res.value == 0
    (row,) = res.evidence.details["alerts"]
    assert row["allowed"] and row["reason"] == "load test on day 2"


def test_without_alerting_rules_nothing_could_fire_so_there_is_no_data(promlab, tmp_path):
    lab = promlab("no_alert_rules")
    res = result(default_context(tmp_path, lab.url, lab.end), "critical_alerts")
    assert res.status.value == "no_data" and res.value is None
    assert res.evidence.details["rules_loaded"] == []
    assert "nothing could have fired" in res.message


def _ts(text: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
