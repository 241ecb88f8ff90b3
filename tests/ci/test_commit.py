"""``--commit`` in a real git repository: exactly the audit files, once, never others' changes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.ci.ci_project import git, write_snapshot
from tests.support.clock import day, on, stamp

THE_DAY = day(1)  # over: a future --at is refused
AT = stamp(on(THE_DAY, "06:00"))


def _log(repo: Path) -> list[str]:
    return git(repo, "log", "--format=%s").splitlines()


def _committed_files(repo: Path) -> list[str]:
    return sorted(git(repo, "show", "--name-only", "--format=", "HEAD").split())


def test_commit_records_exactly_the_audit_files_with_the_agreed_message(
    git_project, evaluate_in
) -> None:
    (git_project / "unrelated.txt").write_text("work in progress\n")  # untracked: must stay so
    result = evaluate_in(git_project, "--at", AT, "--commit")
    assert result.code == 0
    assert _log(git_project)[0] == f"chore(audit): GA readiness {THE_DAY} — PASS (score 100)"
    assert _committed_files(git_project) == [
        f"docs/audits/ga/{THE_DAY}/ga-readiness.json",
        f"docs/audits/ga/{THE_DAY}/ga-readiness.md",
        "docs/audits/ga/latest.json",
        "docs/audits/ga/latest.md",
    ]
    assert git(git_project, "status", "--porcelain") == "?? unrelated.txt\n"
    assert "committed" in result.err


def test_a_failing_verdict_and_its_score_are_in_the_message(git_project, evaluate_in) -> None:
    write_snapshot(git_project, lint=150, p95=0.008)
    result = evaluate_in(git_project, "--at", AT, "--commit")
    assert result.code == 1
    assert _log(git_project)[0] == f"chore(audit): GA readiness {THE_DAY} — FAIL (score 66.7)"


def test_nothing_changed_makes_no_commit(git_project, evaluate_in) -> None:
    first = evaluate_in(git_project, "--at", AT, "--commit")
    assert "committed" in first.err
    before = _log(git_project)
    again = evaluate_in(git_project, "--at", AT, "--commit")
    assert again.code == 0
    assert "audit unchanged; nothing to commit" in again.err
    assert _log(git_project) == before
    assert git(git_project, "status", "--porcelain") == ""


def test_other_staged_changes_make_it_refuse_without_losing_anything(
    git_project, evaluate_in
) -> None:
    (git_project / "feature.py").write_text("print('half done')\n")
    git(git_project, "add", "feature.py")
    result = evaluate_in(git_project, "--at", AT, "--commit")
    assert result.code == 2
    assert "refusing to commit: other changes are staged (feature.py)" in result.err
    assert "verdict: PASS" in result.out  # the evaluation itself is still reported
    assert _log(git_project) == ["initial"]
    # the user's staged change is still staged, the audit is on disk, uncommitted
    assert git(git_project, "diff", "--cached", "--name-only") == "feature.py\n"
    assert (git_project / f"docs/audits/ga/{THE_DAY}/ga-readiness.json").is_file()


def test_outside_a_git_repository_it_says_so(project, evaluate_in) -> None:
    result = evaluate_in(project, "--commit")
    assert result.code == 2
    assert "is not inside a git repository" in result.err


def test_commit_and_no_write_cannot_go_together(project, evaluate_in) -> None:
    result = evaluate_in(project, "--commit", "--no-write")
    assert result.code == 2 and "--commit" in result.err


def test_two_runs_at_once_take_turns(git_project) -> None:
    """Two processes commit the audits of two different days at the same moment."""
    config = str(git_project / "config" / "gates.toml")
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "gacheck", "evaluate", "--config", config,
             "--repo", str(git_project), "--at", at, "--commit", "--quiet", "--no-charts"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for at in (stamp(on(day(2), "06:00")), AT)
    ]
    outcomes = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outcomes
    subjects = sorted(_log(git_project)[:2])
    assert subjects == [
        f"chore(audit): GA readiness {day(2)} — PASS (score 100)",
        f"chore(audit): GA readiness {THE_DAY} — PASS (score 100)",
    ]
    # each commit holds its own day's files (and the latest copies), nothing of the other day
    for sha in git(git_project, "log", "-2", "--format=%H").split():
        its_day = git(git_project, "log", "-1", "--format=%s", sha).split()[3]
        files = git(git_project, "show", "--name-only", "--format=", sha).split()
        assert all(its_day in f or "latest" in f for f in files), files
    assert git(git_project, "status", "--porcelain") == ""


def test_ignored_audit_files_are_a_clear_error(git_project, evaluate_in) -> None:
    (git_project / ".gitignore").write_text("docs/audits/\n")
    git(git_project, "add", ".gitignore")
    git(git_project, "commit", "-q", "-m", "ignore audits")
    result = evaluate_in(git_project, "--at", AT, "--commit")
    assert result.code == 2
    assert "--commit: git add failed" in result.err and "ignored" in result.err
    assert git(git_project, "diff", "--cached", "--name-only") == ""
