"""The audit records the commit the code gates measured, and says when ``--at`` is older."""

from __future__ import annotations

import json

from tests.ci.ci_project import git
from tests.support.clock import day, on, stamp

LONG_AGO = stamp(on(day(25), "06:00"))


def _audit(result) -> dict:  # type: ignore[no-untyped-def]
    assert result.code in (0, 1, 3), result.err
    return json.loads(result.out)


def test_the_commit_and_a_clean_tree_are_recorded_for_the_gates_that_read_it(
    git_project, evaluate_in
) -> None:
    head = git(git_project, "rev-parse", "HEAD").strip()
    audit = _audit(evaluate_in(git_project, "--no-write", "--format", "json"))
    assert audit["repository"] == {"commit": head, "dirty": False,
                                   "gates": ["budget", "latency", "smoke"], "note": None}
    assert not any("is in the past" in note for note in audit["notes"])  # --at is now


def test_a_past_at_says_the_code_gates_measured_todays_commit(git_project, evaluate_in) -> None:
    head = git(git_project, "rev-parse", "HEAD").strip()
    (git_project / "snapshot.json").write_text('{"lint": {"total": 1}, "p95": 0.001}')
    audit = _audit(evaluate_in(git_project, "--at", LONG_AGO, "--no-write",
                               "--format", "json"))
    assert audit["repository"]["commit"] == head and audit["repository"]["dirty"] is True
    [note] = [n for n in audit["notes"] if "is in the past" in n]
    assert f"commit {head[:12]} with uncommitted changes" in note
    assert f"not the tree as of {LONG_AGO}" in note
    markdown = evaluate_in(git_project, "--at", LONG_AGO, "--no-write",
                           "--format", "markdown").out
    assert f"- Repository: commit `{head[:12]}` with uncommitted changes" in markdown


def test_outside_git_the_audit_says_there_is_no_commit(project, evaluate_in) -> None:
    audit = _audit(evaluate_in(project, "--no-write", "--format", "json"))
    assert audit["repository"]["commit"] is None
    assert audit["repository"]["note"] == "not a git repository"


def test_gates_that_do_not_read_the_repository_record_no_commit(project, evaluate_in) -> None:
    audit = _audit(evaluate_in(project, "--only", "smoke", "--partial", "--no-write",
                               "--format", "json"))
    assert audit["repository"]["gates"] == ["smoke"]  # a command runs in the checkout


def test_an_audit_commit_is_not_the_code_the_gates_measured(git_project, evaluate_in) -> None:
    code = git(git_project, "rev-parse", "HEAD").strip()
    assert evaluate_in(git_project, "--at", stamp(on(day(1), "06:00")), "--commit").code == 0
    assert git(git_project, "rev-parse", "HEAD").strip() != code  # the audit was committed
    audit = _audit(evaluate_in(git_project, "--no-write", "--format", "json"))
    assert (audit["repository"]["commit"], audit["repository"]["dirty"]) == (code, False)
