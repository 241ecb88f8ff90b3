"""GitHub Actions output: annotations (escaped, within the per-step limits) and step summary."""

from __future__ import annotations

from pathlib import Path

import pytest

from gacheck.core.models import Evidence, Finding, Status
from gacheck.output.step_files import append_step_summary
from gacheck.reports import github
from gacheck.reports.github import (
    annotation_lines,
    escape_data,
    escape_property,
    fit_summary,
    render_github,
)
from tests.ci.ci_golden import assert_golden
from tests.ci.ci_samples import gate, sample_audit


def test_annotations_match_the_golden_file() -> None:
    assert_golden("annotations.txt", render_github(sample_audit(), "docs/audits/ga/x.md"))


@pytest.mark.parametrize(
    ("text", "data", "prop"),
    [
        ("100%", "100%25", "100%25"),
        ("a\nb\r", "a%0Ab%0D", "a%0Ab%0D"),
        ("x:y,z", "x:y,z", "x%3Ay%2Cz"),
        ("%0A", "%250A", "%250A"),  # an escape sequence in the data is not decoded by GitHub
        ("::error::x", "::error::x", "%3A%3Aerror%3A%3Ax"),
    ],
)
def test_workflow_command_escaping(text: str, data: str, prop: str) -> None:
    assert escape_data(text) == data
    assert escape_property(text) == prop


def test_a_hostile_finding_cannot_start_a_new_command_or_property() -> None:
    lines = annotation_lines(sample_audit())
    hostile = [line for line in lines if "F841" in line]
    assert hostile == [
        "::warning file=weird%2C name%3A1.py,line=3,title=gacheck%3A lint::"
        "[F841] 100%25 wrong: a,b:c%0Asecond line%0D"
    ]
    assert all("\n" not in line and "\r" not in line for line in lines)


def test_findings_of_a_passing_gate_are_not_annotated() -> None:
    passing = gate("lint", Status.PASS, 5.0, "5 ≤ 120",
                   evidence=Evidence(findings=[Finding(message="m", file="a.py", line=1)]))
    assert annotation_lines(sample_audit(gates=[passing])) == []


def test_at_most_ten_errors_and_ten_warnings_and_one_line_for_the_rest() -> None:
    findings = [Finding(message=f"problem {i}", code="E1", file=f"f{i}.py", line=i + 1)
                for i in range(25)]
    soft = [Finding(message=f"hint {i}", file="h.py", line=i + 1, severity="warning")
            for i in range(12)]
    gates = [gate("lint", Status.FAIL, 37.0, "37 > max 0",
                  evidence=Evidence(findings=findings + soft))]
    lines = annotation_lines(sample_audit(gates=gates), "docs/audits/ga/2026-11-25/r.md")
    assert sum(line.startswith("::error") for line in lines) == 10
    assert sum(line.startswith("::warning") for line in lines) == 10
    # the gate's own annotation comes first, so the verdict is never the one dropped
    assert lines[0] == "::error title=gacheck%3A Lint::fail: 37 > max 0"
    assert lines[-1] == (
        "::notice title=gacheck::16 more error and 2 more warning annotations are not shown "
        "(GitHub keeps 10 of each per step); see the full audit: docs/audits/ga/2026-11-25/r.md"
    )
    assert len(lines) == 21


def _long_report(sections: int) -> str:
    head = "# GA readiness: FAIL\n\n| Gate | Status |\n|---|---|\n| a | fail |\n"
    body = "".join(
        f'\n<a id="g{i}"></a>\n## Gate {i}\n\n```\n' + "x" * 300 + "\n```\n" for i in range(sections)
    )
    return head + body


def test_a_summary_that_fits_is_unchanged() -> None:
    text = _long_report(3)
    assert fit_summary(text, 10_000) == text


def test_a_long_summary_is_cut_at_a_gate_section_with_a_pointer_to_the_full_report() -> None:
    text = _long_report(40)
    cut = fit_summary(text, 2000, "docs/audits/ga/2026-11-25/ga-readiness.md")
    assert len(cut.encode()) <= 2000
    assert_golden("summary-truncated.md", cut)
    assert cut.count("```") % 2 == 0  # no code block left open


def test_the_summary_is_appended_within_the_one_mib_step_limit(tmp_path: Path) -> None:
    target = tmp_path / "summary.md"
    earlier = "earlier step output\n" * 50_000  # about 1 MB already used by this step
    target.write_text(earlier)
    append_step_summary(_long_report(400), "r.md", str(target))
    content = target.read_text()
    assert content.startswith(earlier)
    assert len(content.encode()) <= github.SUMMARY_LIMIT
    assert "**Truncated**" in content and "`r.md`" in content


def test_without_a_step_summary_file_nothing_is_appended(monkeypatch) -> None:
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    assert append_step_summary("# report\n") is None


def test_github_actions_gets_annotations_and_a_step_summary(
    project, evaluate_in, monkeypatch, tmp_path
) -> None:
    summary = tmp_path / "step-summary.md"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    (project / "snapshot.json").write_text('{"lint": {"total": 150}, "p95": 0.008}')
    result = evaluate_in(project)
    assert result.code == 1
    assert "::error title=gacheck%3A Lint budget::fail: 150 > max 120" in result.out
    assert summary.read_text().startswith("# GA readiness: FAIL")


def test_an_explicit_format_beats_the_automatic_one(project, evaluate_in, monkeypatch, tmp_path) -> None:
    summary = tmp_path / "step-summary.md"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    result = evaluate_in(project, "--format", "text", "--no-write")
    assert result.code == 0
    assert "::" not in result.out and not summary.exists()


def test_a_full_step_summary_is_left_alone(tmp_path: Path, capsys) -> None:
    target = tmp_path / "summary.md"
    target.write_text("x" * (github.SUMMARY_LIMIT - 1000))
    assert append_step_summary("# report\n", "r.md", str(target)) is None
    assert target.stat().st_size == github.SUMMARY_LIMIT - 1000
    assert "the step summary is full" in capsys.readouterr().err


def test_annotation_files_are_relative_to_the_workspace_when_the_repo_is_a_subfolder(tmp_path) -> None:
    from gacheck.reports.github import _in_workspace, workspace_prefix

    repo = tmp_path / "services" / "lukhas"
    repo.mkdir(parents=True)
    prefix = workspace_prefix(repo, str(tmp_path))
    assert prefix == "services/lukhas"
    assert _in_workspace("lukhas/observability/x.py", prefix) == "services/lukhas/lukhas/observability/x.py"
    assert workspace_prefix(tmp_path, str(tmp_path)) == "."
    assert _in_workspace("a.py", ".") == "a.py"
    assert workspace_prefix(tmp_path, str(repo)) == ""  # the repo is outside the workspace
