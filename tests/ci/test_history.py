"""``gacheck history`` over audits that gacheck itself wrote on a frozen sequence of days."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from freezegun import freeze_time

from tests.ci.ci_project import write_snapshot

# (day, lint total, p95 seconds or None for "not measured", smoke exit code)
DAYS = [
    ("2026-11-18", 140, 0.012, 0),
    ("2026-11-19", 130, 0.011, 0),
    ("2026-11-20", 118, 0.009, 1),
    ("2026-11-21", 110, None, 0),
    ("2026-11-22", 95, 0.008, 0),
    ("2026-11-23", 90, 0.007, 0),
    ("2026-11-24", 80, 0.006, 0),
]


@pytest.fixture
def audit_days(project: Path, evaluate_in) -> Path:  # type: ignore[no-untyped-def]
    """A week of daily evaluations at 06:00 UTC (no --at: the frozen clock is "now")."""
    from tests.ci.ci_project import write_project_config

    for day, lint, p95, smoke in DAYS:
        write_snapshot(project, lint=lint, p95=p95)
        write_project_config(project, smoke=smoke)
        with freeze_time(f"{day}T06:00:00Z"):
            evaluate_in(project, "--quiet", "--no-charts")
    # a second, later run on the 22nd replaces that day's file: the day counts once
    write_snapshot(project, lint=96, p95=0.008)
    with freeze_time("2026-11-22T18:00:00Z"):
        evaluate_in(project, "--quiet", "--no-charts")
    # a crash of some other tool left a corrupt file among the dated audits
    corrupt = project / "docs/audits/ga/2026-11-19/ga-readiness.json"
    corrupt.write_text('{"schema_version": 1, "evaluated_at": "2026-11-19T06:00:00Z", "gat')
    return project


def history(run_cli, root: Path, *args: str):  # type: ignore[no-untyped-def]
    return run_cli("history", "--config", str(root / "config/gates.toml"), "--repo", str(root),
                   *args)


def test_one_row_per_day_and_gate_with_the_corrupt_audit_reported_and_skipped(
    audit_days, run_cli
) -> None:
    result = history(run_cli, audit_days, "--format", "json")
    assert result.code == 0
    report = json.loads(result.out)
    assert report["days"] == ["2026-11-18", "2026-11-20", "2026-11-21", "2026-11-22",
                              "2026-11-23", "2026-11-24"]
    assert len(report["rows"]) == 6 * 3
    budget = [(r["date"], r["status"], r["value"]) for r in report["rows"] if r["gate"] == "budget"]
    assert budget == [
        ("2026-11-18", "fail", 140.0), ("2026-11-20", "warn", 118.0),
        ("2026-11-21", "warn", 110.0), ("2026-11-22", "pass", 96.0),
        ("2026-11-23", "pass", 90.0), ("2026-11-24", "pass", 80.0),
    ]
    latency = {r["date"]: r["status"] for r in report["rows"] if r["gate"] == "latency"}
    assert latency["2026-11-21"] == "no_data"
    assert len(report["skipped"]) == 1 and "2026-11-19/ga-readiness.json" in report["skipped"][0]
    assert "not a readable audit" in result.err


def test_trends_and_the_passing_streak(audit_days, run_cli) -> None:
    report = json.loads(history(run_cli, audit_days, "--format", "json").out)
    trends = {t["gate"]: t for t in report["trends"]}
    budget = trends["budget"]
    assert budget["last"] == 80.0 and budget["change"] == -10.0
    assert budget["slope_per_day"] == pytest.approx(-10.3, abs=0.5)
    assert budget["streak"] == 3
    # latency: the no_data day is not a value, and it breaks no trend
    assert trends["latency"]["change"] == pytest.approx(-0.001)
    assert trends["smoke"]["streak"] == 4
    # the 18th fails (budget), the 20th fails (smoke), the 21st is incomplete (no latency)
    assert report["verdicts"]["2026-11-21"] == "incomplete"
    assert report["passing_streak_days"] == 3


def test_since_and_gate_filter_and_csv(audit_days, run_cli) -> None:
    result = history(run_cli, audit_days, "--since", "2026-11-22", "--gate", "budget",
                     "--format", "csv")
    assert result.code == 0
    rows = list(csv.DictReader(io.StringIO(result.out)))
    assert [(r["date"], r["verdict"], r["status"], r["value"]) for r in rows] == [
        ("2026-11-22", "pass", "pass", "96.0"),
        ("2026-11-23", "pass", "pass", "90.0"),
        ("2026-11-24", "pass", "pass", "80.0"),
    ]


def test_text_and_markdown_show_the_same_facts(audit_days, run_cli) -> None:
    text = history(run_cli, audit_days).out
    assert text.startswith("6 days, 2026-11-18 .. 2026-11-24; passing streak: 3 days")
    lines = [line.split() for line in text.splitlines()]
    assert ["2026-11-18", "fail", "budget", "fail", "140"] in lines
    assert ["2026-11-21", "incomplete", "latency", "no_data", "—"] in lines
    assert ["budget", "80", "-10", "-9.838/day", "3d"] in lines
    markdown = history(run_cli, audit_days, "--format", "markdown").out
    assert "Passing streak: **3 days**" in markdown
    assert "| budget | 80 | -10 |" in markdown


def test_audits_of_another_schema_version_are_skipped_with_a_note(audit_days, run_cli) -> None:
    future = audit_days / "docs/audits/ga/2026-11-25/ga-readiness.json"
    future.parent.mkdir()
    future.write_text(json.dumps({"schema_version": 99, "evaluated_at": "2026-11-25T06:00:00Z",
                                  "gates": []}))
    result = history(run_cli, audit_days, "--format", "json")
    assert result.code == 0
    assert any("schema version 99 is not supported" in s for s in json.loads(result.out)["skipped"])


def test_a_minimal_older_audit_still_loads(project, run_cli) -> None:
    """An audit with only the fields the first schema had in common (no attempts, no waivers)."""
    old = project / "docs/audits/ga/2026-10-01/ga-readiness.json"
    old.parent.mkdir(parents=True)
    old.write_text(json.dumps({
        "schema_version": 1, "evaluated_at": "2026-10-01T06:00:00Z", "verdict": "pass",
        "gates": [{"id": "budget", "status": "pass", "value": 50}, {"status": "pass"}],
    }))
    result = history(run_cli, project, "--format", "json")
    report = json.loads(result.out)
    assert [(r["gate"], r["value"]) for r in report["rows"]] == [("budget", 50.0)]
    assert any("gates[1] is not a gate" in s for s in report["skipped"])


def test_bad_options_are_clear_errors(audit_days, run_cli, tmp_path) -> None:
    assert "expected a date like 2026-11-25" in history(run_cli, audit_days, "--since", "soon").err
    missing = run_cli("history", "--dir", str(tmp_path / "nowhere"))
    assert missing.code == 2 and "does not exist" in missing.err
    unknown = history(run_cli, audit_days, "--gate", "nope")
    assert unknown.code == 2 and "has a gate 'nope'" in unknown.err


def test_an_empty_audit_directory_says_so(project, run_cli) -> None:
    (project / "docs/audits/ga").mkdir(parents=True)
    result = history(run_cli, project)
    assert result.code == 0 and result.out == "no audits found\n"
    assert json.loads(history(run_cli, project, "--format", "json").out)["rows"] == []


def test_a_foreign_snapshot_in_the_same_layout_is_skipped_with_a_note(project, run_cli) -> None:
    """The seed's own snapshot script wrote JSON of another shape at the same kind of path."""
    theirs = project / "docs/audits/ga/2026-10-14/ga-readiness.json"
    theirs.parent.mkdir(parents=True)
    theirs.write_text(json.dumps({"summary": {"ruff": {"total": 5970}, "checks": []}}))
    result = history(run_cli, project, "--format", "json")
    assert result.code == 0
    assert json.loads(result.out)["skipped"] == [f"{theirs}: not a gacheck audit (no schema_version)"]
