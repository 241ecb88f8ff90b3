"""``git_batches``: cleanup batches landed on a branch, without regressions.

The value is the number of commits whose subject matches ``pattern`` (judged against ``min``,
default 2). "Without regressions": the count of ``rule`` (default E402) over ``paths`` in the
branch tip's tree must not exceed the count in the tree just before the first batch; both trees
are checked out in temporary worktrees and linted with ruff. A rise fails the gate.

A batch that a later commit on the branch reverted (git's ``This reverts commit <sha>.`` in its
message, or a subject ``Revert "<batch subject>"``) did not land: it is not counted, and the
evidence says which commit reverted it. A revert that was itself reverted no longer counts.

Fail-closed: an empty repository, or a shallow clone that lacks the history needed to tell
(too few batches fetched, or the first batch's parent missing), is an ``error``, never a pass.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import Field, field_validator

from gacheck.config.model import GateSpec
from gacheck.context import Context
from gacheck.core.deadline import monotonic
from gacheck.core.errors import CollectorError
from gacheck.core.models import Evidence, Finding, Status
from gacheck.core.units import Unit
from gacheck.gates.interface import GateKind, Measurement, Params

if TYPE_CHECKING:  # collectors are imported when a gate runs, not when the config is read
    from gacheck.collectors.git import Commit, Git

E402_BATCH = r"^refactor\(lint\): E402 cleanup batch \d+"
_UNSHALLOW = "fetch the full history (git fetch --unshallow, or fetch-depth: 0 in CI)"


class GitBatchesParams(Params):
    pattern: str = Field(default=E402_BATCH, description="regular expression on the subject")
    branch: str = Field(default="HEAD", description='branch, tag, commit, or range "A..B"')
    since: str | None = Field(default=None, description="leave out commits reachable from this")
    first_parent: bool = False
    rule: str = Field(default="E402", description='ruff rule that must not regress; "" = no check')
    paths: list[str] = Field(default_factory=lambda: ["."], min_length=1)
    max_batch_files: int = Field(default=20, ge=1)
    executable: str | None = Field(default=None, description="ruff to run instead of ours")

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a valid regular expression: {exc}") from None
        return value


class GitBatchesGate(GateKind):
    params: ClassVar[type[Params]] = GitBatchesParams
    unit: ClassVar[Unit | None] = Unit.COUNT
    default_threshold: ClassVar[dict[str, int]] = {"min": 2}
    reads_repository: ClassVar[bool] = True

    def evaluate(self, gate: GateSpec, ctx: Context) -> Measurement:
        from gacheck.collectors.git import Git

        params: GitBatchesParams = gate.params
        # finish (and clean up the worktrees) before the engine gives up on the gate
        git = Git(ctx.repo, deadline=monotonic() + max(gate.timeout - 2.0, 1.0))
        git.require_repository()
        if not git.has_commits():
            raise CollectorError(f"{ctx.repo} is an empty repository: no commits, so no batches")
        shallow = git.is_shallow()
        branch, since = _range(params)
        tip = git.resolve(branch)
        matched = git.matching(tip, since, re.compile(params.pattern), params.first_parent)
        reverted = _reverted(git, matched, tip)
        batches = [c for c in matched if c.sha not in reverted]
        wanted = gate.threshold.min
        if shallow and wanted is not None and len(batches) < wanted:
            raise CollectorError(
                f"shallow clone: only {len(batches)} matching commits in the fetched history, "
                f"older batches may be missing; {_UNSHALLOW}"
            )
        notes = _batch_notes(params, matched, batches, reverted, shallow)
        details: dict[str, Any] = {
            "branch": branch, "tip": tip, "since": since,
            "pattern": params.pattern, "batches": [_batch(c) for c in batches],
            "reverted": [_batch(c) | {"reverted_by": reverted[c.sha]}
                         for c in matched if c.sha in reverted],
        }
        findings: list[Finding] = []
        floor = None
        message = f"{len(batches)} matching commits on {branch}"
        if reverted:
            message += f" ({len(reverted)} more reverted, not counted)"
        if params.rule and batches:
            # the tree before the first matching commit, reverted or not, is the baseline
            regression = _regression(git, matched[0], tip, params, shallow, notes)
            details["regression"] = regression
            findings = [
                Finding(message=f"{params.rule} rose from {r['before']} to {r['after']}",
                        code=params.rule, file=r["file"])
                for r in regression["regressed_files"]
            ]
            before, after = regression["before"], regression["after"]
            message += f"; {params.rule} {before} before the first batch, {after} at the tip"
            if after > before:
                floor = Status.FAIL
                message += f" (regression: +{after - before})"
        elif params.rule:
            notes.append("no batch found, so there is nothing to check for regressions")
        return Measurement(
            value=float(len(batches)),
            message=message,
            status=floor,
            evidence=Evidence(commands=git.records,
                              findings=findings, notes=notes, details=details),
        )


def _batch_notes(
    params: GitBatchesParams, matched: list[Commit], batches: list[Commit],
    reverted: dict[str, str], shallow: bool,
) -> list[str]:
    """What the reader should know about the count: batches that touched more than
    ``max_batch_files`` files, a shallow clone's limited search, and the reverted batches
    left out (with the commit that reverted each)."""
    notes = [
        f"batch {c.sha[:10]} touched {len(c.files)} files (more than {params.max_batch_files})"
        for c in batches if len(c.files) > params.max_batch_files
    ]
    if shallow:
        notes.append("this clone is shallow; only its fetched history was searched")
    notes += [
        f"batch {c.sha[:10]} ({c.subject}) was reverted by {reverted[c.sha][:10]}; "
        "not counted" for c in matched if c.sha in reverted
    ]
    return notes


def _reverted(git: Git, matched: list[Commit], tip: str) -> dict[str, str]:
    """The matched batches a later commit up to ``tip`` reverted, with the reverting sha."""
    from gacheck.collectors.git import effective_reverts

    if not matched:
        return {}
    # a revert comes after what it reverts: the commits since the first batch hold them all
    return effective_reverts(matched, git.reverts(tip, matched[0].sha))


def _range(params: GitBatchesParams) -> tuple[str, str | None]:
    """(branch, since): ``branch = "v0.9.0..main"`` is read as since v0.9.0 on main."""
    if ".." in params.branch and params.since is None:
        if "..." in params.branch:
            raise CollectorError(f"branch {params.branch!r}: use A..B (or since = ...), not A...B")
        since, _, branch = params.branch.partition("..")
        return branch or "HEAD", since or None
    return params.branch, params.since


def _batch(commit: Commit) -> dict[str, Any]:
    return {"sha": commit.sha, "date": commit.date, "subject": commit.subject,
            "files_count": len(commit.files), "files": commit.files}


def _regression(git: Git, first: Commit, tip: str, params: GitBatchesParams, shallow: bool,
                notes: list[str]) -> dict[str, Any]:
    """Counts of ``params.rule`` before the first batch and at the tip, per file."""
    from gacheck.collectors import ruff

    if not first.parents:
        if shallow:
            raise CollectorError(
                f"shallow clone: the commit before the first batch ({first.sha[:10]}) is not "
                f"in this clone, so regressions cannot be checked; {_UNSHALLOW}"
            )
        raise CollectorError(
            f"the first batch {first.sha[:10]} is the repository's first commit: there is no "
            "tree before it to compare with"
        )
    before_rev = first.parents[0]
    # --repo may be a folder inside the git repository (a monorepo): paths start there
    prefix = git.run("rev-parse", "--show-prefix").stdout.strip()
    counts = {}
    for label, rev in (("before", before_rev), ("after", tip)):
        with git.tree(rev) as checkout:
            tree = checkout / prefix
            present = [p for p in params.paths if (tree / p).exists()]
            for absent in sorted(set(params.paths) - set(present)):
                notes.append(f"{absent} does not exist {label} ({rev[:10]}); counted as 0")
            run = None
            if present:
                run = ruff.check(tree, present, select=[params.rule],
                                 executable=params.executable, timeout=git.remaining())
                git.records.append(run.command)
            counts[label] = run.by_file() if run else {}
    before, after = counts["before"], counts["after"]
    regressed = [
        {"file": name, "before": before.get(name, 0), "after": n}
        for name, n in sorted(after.items()) if n > before.get(name, 0)
    ]
    return {
        "rule": params.rule, "paths": params.paths,
        "before_rev": before_rev, "after_rev": tip,
        "before": sum(before.values()), "after": sum(after.values()),
        "regressed_files": regressed,
    }
