"""Partial runs (``--only``/``--skip``): never a pass for what was left out, never written over
the day's full audit or ``latest.*``, never counted as history, waited on or diffed as full."""

from __future__ import annotations

import json
from pathlib import Path

from tests.ci.ci_project import git, write_snapshot
from tests.support.clock import day, on, stamp

THE_DAY, DAY_BEFORE = day(1), day(2)  # days that are over: a future --at is refused
AT = stamp(on(THE_DAY, "06:00"))
BEFORE = stamp(on(DAY_BEFORE, "06:00"))
DAY = Path(f"docs/audits/ga/{THE_DAY}")


def _read(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def test_a_deselection_is_incomplete_and_never_replaces_the_full_audit(project, evaluate_in) -> None:
    full = evaluate_in(project, "--at", AT)
    assert full.code == 0
    dated, latest = project / DAY / "ga-readiness.json", project / "docs/audits/ga/latest.json"
    before = dated.read_bytes(), latest.read_bytes()

    write_snapshot(project, lint=150, p95=0.008)  # would fail "budget", which is left out
    result = evaluate_in(project, "--at", stamp(on(THE_DAY, "07:00")), "--only", "smoke")
    assert result.code == 3
    assert "verdict: INCOMPLETE" in result.out
    assert "budget, latency" in result.out and "--partial" in result.out
    partial = project / DAY / "ga-readiness.partial.json"
    assert _read(partial)["partial"] is True
    assert (dated.read_bytes(), latest.read_bytes()) == before
    assert (project / DAY / "ga-readiness.partial.md").is_file()
    assert f"audit written: {partial}" in result.out or "ga-readiness.partial.json" in result.out


def test_partial_gives_a_verdict_on_the_selection_written_under_its_own_name(
    project, evaluate_in
) -> None:
    result = evaluate_in(project, "--at", AT, "--skip", "latency", "--partial")
    assert result.code == 0
    assert "verdict: PASS" in result.out
    audit = _read(project / DAY / "ga-readiness.partial.json")
    assert audit["verdict"] == "pass" and audit["partial"] is True
    assert audit["selection"]["skip"] == ["latency"]
    assert audit["selection"]["partial_requested"] is True
    assert not (project / DAY / "ga-readiness.json").exists()
    assert not (project / "docs/audits/ga/latest.json").exists()
    markdown = (project / DAY / "ga-readiness.partial.md").read_text(encoding="utf-8")
    assert "partial audit" in markdown


def test_history_and_trends_leave_partial_audits_out(project, evaluate_in, run_cli) -> None:
    write_snapshot(project, lint=90, p95=0.008)
    assert evaluate_in(project, "--at", BEFORE).code == 0
    write_snapshot(project, lint=119, p95=0.008)
    assert evaluate_in(project, "--at", AT, "--only", "budget",
                       "--partial").code == 0
    history = run_cli("history", "--config", str(project / "config/gates.toml"),
                      "--repo", str(project), "--format", "json")
    assert history.code == 0
    report = json.loads(history.out)
    assert report["days"] == [str(DAY_BEFORE)]


def test_partial_audits_are_left_out_of_history_whatever_the_layout(tmp_path) -> None:
    from gacheck.config.model import Settings
    from gacheck.history.store import load_history

    settings = Settings(path_template="{date}/ga-{time}.{ext}")
    gates = [{"id": "budget", "status": "pass", "value": 90}]
    audits = {
        "ga-060000.json": {"evaluated_at": "2026-11-25T06:00:00Z", "gates": gates},
        "ga-070000.partial.json": {"evaluated_at": "2026-11-25T07:00:00Z", "partial": True,
                                   "gates": gates},
        # written before audits said "partial": a gate left out gives it away
        "ga-080000.json": {"evaluated_at": "2026-11-25T08:00:00Z",
                           "gates": [*gates, {"id": "smoke", "status": "skipped"}]},
    }
    (tmp_path / "2026-11-25").mkdir()
    for name, document in audits.items():
        (tmp_path / "2026-11-25" / name).write_text(json.dumps({"schema_version": 1, **document}))
    history = load_history(tmp_path, settings)
    assert [a.path.name for a in history.audits] == ["ga-060000.json"]
    assert len(history.partial) == 2


def test_diff_by_date_compares_full_audits_and_names_a_partial_file(
    project, evaluate_in, run_cli
) -> None:
    assert evaluate_in(project, "--at", BEFORE).code == 0
    assert evaluate_in(project, "--at", AT, "--only", "smoke", "--partial").code == 0
    config = ["--config", str(project / "config/gates.toml"), "--repo", str(project)]
    by_date = run_cli("diff", str(DAY_BEFORE), str(THE_DAY), *config)
    assert by_date.code == 2 and f"only partial audits of {THE_DAY}" in by_date.err
    named = run_cli("diff", str(DAY_BEFORE), str(project / DAY / "ga-readiness.partial.json"),
                    *config)
    assert named.code == 0
    assert "new is a partial audit: budget, latency not evaluated" in named.out


def test_waiting_cannot_bring_back_gates_left_out(project, evaluate_in) -> None:
    refused = evaluate_in(project, "--only", "smoke", "--wait-until", "10m")
    assert refused.code == 2
    assert "--wait-until would wait in vain" in refused.err and "budget, latency" in refused.err
    waited = evaluate_in(project, "--only", "smoke", "--partial", "--wait-until", "10m",
                         "--no-write", "--format", "json")
    assert waited.code == 0
    assert json.loads(waited.out)["partial"] is True


def test_commit_of_a_partial_run_commits_its_own_files_said_so(git_project, evaluate_in) -> None:
    result = evaluate_in(git_project, "--at", AT, "--only", "smoke", "--partial", "--commit")
    assert result.code == 0
    assert git(git_project, "log", "-1", "--format=%s").strip() == (
        f"chore(audit): GA readiness (partial) {THE_DAY} — PASS (score 100)")
    committed = sorted(git(git_project, "show", "--name-only", "--format=", "HEAD").split())
    assert committed == [f"{DAY}/ga-readiness.partial.json", f"{DAY}/ga-readiness.partial.md"]
