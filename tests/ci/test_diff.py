"""``gacheck diff``: what changed between two audits; exit 1 when a gate got worse."""

from __future__ import annotations

import json
from pathlib import Path

from gacheck.core.models import Evidence, Finding, Status, Threshold
from gacheck.core.units import Unit
from gacheck.history.diff import diff_audits
from tests.ci.ci_project import write_project_config, write_snapshot
from tests.ci.ci_samples import gate, sample_audit
from tests.support.clock import day, on, stamp


def _document(audit) -> dict:  # type: ignore[no-untyped-def]
    return json.loads(audit.model_dump_json())


def test_status_value_threshold_config_and_findings_changes() -> None:
    old = sample_audit()
    lint = gate("lint", Status.PASS, 100.0, "100 ≤ 150", kind="ruff_budget",
                threshold=Threshold(max=150, unit=Unit.COUNT),
                evidence=Evidence(findings=[Finding(message="new one", code="W293", file="n.py",
                                                    line=4)]))
    gates = [lint if g.id == "lint" else g for g in old.gates if g.id != "legacy"]
    gates.append(gate("smoke", Status.FAIL, 2.0, "2 > max 0").model_copy(update={"id": "fresh"}))
    gates = [gate("smoke", Status.FAIL, 1.0, "1 > max 0") if g.id == "smoke" else g for g in gates]
    new = sample_audit(gates=gates, config_sha256="cd" * 32)
    diff = diff_audits(_document(old), _document(new))
    by_gate = {c.gate: c for c in diff.changes}
    assert set(by_gate) == {"smoke", "lint"}
    assert by_gate["smoke"].worse and by_gate["lint"].better
    assert by_gate["lint"].threshold_changed and by_gate["lint"].value_changed
    assert diff.config_changed
    assert diff.added == ["fresh"] and diff.removed == ["legacy"]
    assert [f["code"] for f in diff.new_findings] == ["W293"]
    assert sorted(f["code"] for f in diff.resolved_findings) == ["E402", "F841"]
    assert [c.gate for c in diff.worse] == ["smoke"]


def _write(path: Path, audit) -> Path:  # type: ignore[no-untyped-def]
    path.write_text(audit.model_dump_json())
    return path


def test_files_compared_on_the_command_line_exit_1_when_worse(run_cli, tmp_path) -> None:
    old = _write(tmp_path / "old.json", sample_audit())
    worse_gates = [gate("latency", Status.FAIL, 0.02, "20ms > max 10ms", unit=Unit.SECONDS,
                        threshold=Threshold(max=0.01, warn=0.008, unit=Unit.SECONDS))
                   if g.id == "latency" else g for g in sample_audit().gates]
    new = _write(tmp_path / "new.json", sample_audit(gates=worse_gates))
    result = run_cli("diff", str(old), str(new))
    assert result.code == 1
    assert "WORSE: latency: warn -> fail; value 9ms -> 20ms" in result.out
    assert run_cli("diff", str(new), str(old)).code == 0
    same = run_cli("diff", str(old), str(old))
    assert same.code == 0 and "no gate changed" in same.out
    as_json = json.loads(run_cli("diff", str(old), str(new), "--format", "json").out)
    assert as_json["worse"] == ["latency"] and as_json["config_changed"] is False


def test_two_dates_are_looked_up_in_the_audit_directory(project, evaluate_in, run_cli) -> None:
    before, after = day(2), day(1)
    evaluate_in(project, "--at", stamp(on(before, "06:00")), "--quiet", "--no-charts")
    write_snapshot(project, lint=150, p95=0.008)
    write_project_config(project, extra='\n# a comment changes the config hash\n')
    evaluate_in(project, "--at", stamp(on(after, "06:00")), "--quiet", "--no-charts")
    result = run_cli("diff", str(before), str(after), "--config",
                     str(project / "config/gates.toml"), "--repo", str(project))
    assert result.code == 1
    assert "WORSE: budget: pass -> fail; value 90 -> 150" in result.out
    assert "config changed: sha256" in result.out
    markdown = run_cli("diff", str(before), str(after), "--config",
                       str(project / "config/gates.toml"), "--repo", str(project),
                       "--format", "markdown")
    assert markdown.out.startswith("# GA readiness diff")


def test_unreadable_inputs_are_clear_errors(project, run_cli, tmp_path) -> None:
    config = ["--config", str(project / "config/gates.toml"), "--repo", str(project)]
    (project / "docs/audits/ga").mkdir(parents=True)
    missing_day = run_cli("diff", "2026-01-01", "2026-01-02", *config)
    assert missing_day.code == 2 and "no audit of 2026-01-01" in missing_day.err
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    result = run_cli("diff", str(broken), str(broken))
    assert result.code == 2 and "OLD: " in result.err and "not a readable audit" in result.err
    assert run_cli("diff", str(tmp_path / "nope.json"), str(broken)).code == 2


def test_an_audit_whose_gates_are_not_gate_objects_is_refused_naming_it(run_cli, tmp_path) -> None:
    """history passes over such entries; diff compared what was left and said "no change"
    with exit 0, so a file of garbage gates could hide a gate that got worse."""
    good = _write(tmp_path / "good.json", sample_audit())
    document = json.loads(good.read_text())
    document["gates"] = [1, "latency", None]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(document))
    result = run_cli("diff", str(bad), str(good))
    assert result.code == 2
    assert f"OLD: {bad}: gates[0], gates[1], gates[2] are not gates" in result.err
    assert run_cli("diff", str(good), str(bad)).code == 2
    assert run_cli("diff", str(good), str(good)).code == 0  # control


def _alerts_audit(rows: list[dict]) -> dict:
    return {"evaluated_at": "2026-11-25T12:00:00Z", "verdict": "fail", "score": 0,
            "config_sha256": "a", "gates": [{
                "id": "critical_alerts", "kind": "alerts", "title": "Alerts", "status": "fail",
                "value": float(len(rows)), "unit": "count", "threshold": {"max": 0},
                "evidence": {"details": {"alerts": rows}, "findings": [
                    {"message": f"{r['alertname']} fired {r['minutes_firing']:.1f} min "
                                f"between {r['first']} and {r['last']}", "code": r["alertname"]}
                    for r in rows]}}]}


def _alert(name: str, minutes: float, last: str, **labels: str) -> dict:
    return {"alertname": name, "labels": {"alertname": name, "severity": "critical", **labels},
            "first": "2026-11-24T10:00:00Z", "last": last, "minutes_firing": minutes,
            "allowed": False, "reason": None}


def test_an_alert_that_keeps_firing_is_changed_not_resolved_and_new() -> None:
    from gacheck.history.diff import diff_audits
    from gacheck.reports.diff_report import render_text

    old = _alerts_audit([_alert("FacadeDown", 12, "2026-11-24T10:11:00Z", instance="a"),
                         _alert("DiskFull", 5, "2026-11-24T11:00:00Z")])
    new = _alerts_audit([_alert("FacadeDown", 30, "2026-11-25T10:29:00Z", instance="a"),
                         _alert("FacadeDown", 1, "2026-11-25T10:00:00Z", instance="b")])
    diff = diff_audits(old, new)
    assert [f["message"] for f in diff.new_findings] == ['FacadeDown {instance="b", severity="critical"}']
    assert [f["message"] for f in diff.resolved_findings] == ['DiskFull {severity="critical"}']
    assert diff.changed_findings == [{"gate": "critical_alerts",
                                      "finding": 'FacadeDown {instance="a", severity="critical"}',
                                      "old": 12.0, "new": 30.0}]
    text = render_text(diff)
    assert ('changed finding: critical_alerts FacadeDown {instance="a", severity="critical"}: '
            "firing 12 minutes -> 30 minutes") in text


def test_the_same_alert_firing_as_long_is_no_change() -> None:
    from gacheck.history.diff import diff_audits

    rows = [_alert("FacadeDown", 12, "2026-11-24T10:11:00Z")]
    diff = diff_audits(_alerts_audit(rows), _alerts_audit(rows))
    assert not (diff.new_findings or diff.resolved_findings or diff.changed_findings)
