"""Reads a git repository: commits whose subject matches, the files they touched, and trees.

Every git command runs with hooks disabled (checking out a tree must not run the repository's
own scripts) and is recorded, so the evidence says exactly what was asked of git.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from gacheck.collectors import process
from gacheck.core.deadline import monotonic
from gacheck.core.errors import CollectorError, CommandError
from gacheck.core.models import CommandRecord

_GIT = ["git", "-c", "core.hooksPath=/dev/null", "-c", "core.quotePath=off"]
_ENV = {"LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0"}
_FIELD, _RECORD = "\x1f", "\x1e"


@dataclass(frozen=True)
class Commit:
    sha: str
    date: str
    """Committer date, ISO 8601 with offset: when the commit landed on the branch."""
    subject: str
    parents: list[str]
    files: list[str] = field(default_factory=list)


_REVERTS_SHA = re.compile(r"This reverts commit ([0-9a-fA-F]{7,40})")
_REVERT_SUBJECT = re.compile(r'^Revert "(.*)"\s*$')


@dataclass(frozen=True)
class RevertCommit:
    """A commit that reverts others: by sha (``This reverts commit``) and/or by subject."""

    sha: str
    subject: str
    shas: list[str]
    reverted_subject: str | None


def effective_reverts(targets: list[Commit], reverts: list[RevertCommit]) -> dict[str, str]:
    """``{target sha: sha of the revert that undid it}`` for the targets still reverted.

    A revert that was itself reverted (a re-apply) no longer counts, and so on down a chain.
    """
    subjects = {c.sha: c.subject for c in targets} | {r.sha: r.subject for r in reverts}

    def undoing(sha: str) -> list[str]:
        return [
            r.sha for r in reverts
            if any(sha.startswith(prefix) for prefix in r.shas)
            or (not r.shas and r.reverted_subject == subjects.get(sha))
        ]

    memo: dict[str, str | None] = {}

    def reverted_by(sha: str, depth: int = 0) -> str | None:
        if sha not in memo:
            memo[sha] = None  # a cycle (impossible in git, possible in text) ends here
            if depth < 50:
                memo[sha] = next(
                    (r for r in undoing(sha) if reverted_by(r, depth + 1) is None), None
                )
        return memo[sha]

    return {c.sha: by for c in targets if (by := reverted_by(c.sha)) is not None}


@dataclass
class Git:
    """Git commands on one repository, each one kept in ``records`` for the evidence."""

    root: Path
    deadline: float = field(default_factory=lambda: monotonic() + 60.0)
    """``monotonic()`` by which every command must be done (the gate's own time limit)."""
    records: list[CommandRecord] = field(default_factory=list)

    def remaining(self) -> float:
        return max(self.deadline - monotonic(), 1.0)

    def run(self, *args: str, check: bool = True, timeout: float | None = None,
            cleanup: bool = False) -> process.Completed:
        done = process.run([*_GIT, *args], cwd=self.root, env=_ENV,
                           timeout=timeout or self.remaining(), cleanup=cleanup)
        self.records.append(done.record(tail=5))
        if check and done.exit_code != 0:
            reason = (done.stderr.strip() or done.stdout.strip()).splitlines()[-3:]
            raise CollectorError(f"git {args[0]} failed: " + " / ".join(reason))
        return done

    def require_repository(self) -> None:
        """A clear error for a root that is missing or not a git repository."""
        if not self.root.is_dir():
            raise CollectorError(f"repository root {self.root} does not exist")
        try:
            done = self.run("rev-parse", "--is-inside-work-tree", check=False)
        except CommandError as exc:
            raise CollectorError(f"cannot run git: {exc}") from None
        if done.exit_code != 0 or done.stdout.strip() != "true":
            reason = done.stderr.strip().splitlines()[-1:] or ["no work tree"]
            raise CollectorError(f"{self.root} is not a git repository ({reason[0]})")

    def has_commits(self) -> bool:
        done = self.run("rev-parse", "--verify", "--quiet", "HEAD^{commit}", check=False)
        return done.exit_code == 0

    def is_shallow(self) -> bool:
        return self.run("rev-parse", "--is-shallow-repository").stdout.strip() == "true"

    def resolve(self, rev: str) -> str:
        done = self.run("rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}",
                        check=False)
        if done.exit_code != 0:
            raise CollectorError(f"no commit {rev!r} in {self.root}")
        return done.stdout.strip()

    def matching(self, rev: str, since: str | None, pattern: re.Pattern[str],
                 first_parent: bool = False) -> list[Commit]:
        """Commits of ``since..rev`` whose subject matches, oldest first, with files touched."""
        # git's own %x1f/%x1e escapes keep the recorded command printable and re-runnable
        args = ["log", "--format=%H%x1f%cI%x1f%P%x1f%s"]
        if first_parent:
            args.append("--first-parent")
        args += ["--end-of-options", rev] + ([f"^{since}"] if since else []) + ["--"]
        found = []
        for line in self.run(*args).stdout.splitlines():
            sha, date, parents, subject = line.split(_FIELD, 3)
            if pattern.search(subject):
                found.append(Commit(sha, date, subject, parents.split()))
        found.reverse()
        if not found:
            return []
        files = self.files_touched([c.sha for c in found])
        return [Commit(c.sha, c.date, c.subject, c.parents, files.get(c.sha, [])) for c in found]

    def reverts(self, rev: str, after: str) -> list[RevertCommit]:
        """Commits of ``after..rev`` that say they revert another: git's own wording, a body
        line ``This reverts commit <sha>.`` or a subject ``Revert "<subject>"``."""
        done = self.run("log", "-i", "--grep=revert", "--format=%H%x1f%s%x1f%b%x1e",
                        "--end-of-options", rev, f"^{after}", "--")
        found = []
        for chunk in done.stdout.split(_RECORD):
            if not chunk.strip():
                continue
            sha, subject, body = (chunk.strip("\n").split(_FIELD, 2) + ["", ""])[:3]
            shas = _REVERTS_SHA.findall(body)
            quoted = _REVERT_SUBJECT.match(subject)
            if shas or quoted:
                found.append(RevertCommit(sha, subject, [s.lower() for s in shas],
                                          quoted.group(1) if quoted else None))
        return found

    def files_touched(self, shas: list[str]) -> dict[str, list[str]]:
        done = self.run("log", "--no-walk=unsorted", "--format=%x1e%H", "--name-only",
                        "--no-renames", "--end-of-options", *shas, "--")
        touched = {}
        for chunk in done.stdout.split(_RECORD)[1:]:
            sha, *names = [line for line in chunk.splitlines() if line.strip()]
            touched[sha] = sorted(names)
        return touched

    @contextmanager
    def tree(self, rev: str) -> Iterator[Path]:
        """The tree of ``rev`` checked out in a temporary worktree, removed again afterwards."""
        holder = Path(tempfile.mkdtemp(prefix="gacheck-tree-"))
        path = holder / "tree"
        try:
            self.run("worktree", "add", "--detach", "--quiet", str(path), rev)
            yield path
        finally:
            # clean-up gets its own time: it must happen even when the deadline has passed
            try:
                if path.exists():
                    self.run("worktree", "remove", "--force", str(path), check=False, timeout=30,
                             cleanup=True)
            finally:
                shutil.rmtree(holder, ignore_errors=True)
                self.run("worktree", "prune", check=False, timeout=30, cleanup=True)


@dataclass(frozen=True)
class HeadState:
    """The commit a working tree is at, and whether its tracked files differ from it."""

    commit: str | None
    dirty: bool | None
    problem: str | None = None


def head_state(root: Path, exclude: Path | None = None, timeout: float = 15.0) -> HeadState:
    """The commit ``root`` is at and whether its tracked files differ from it; never raises.

    ``exclude`` (the audit directory, when it lies in the repository): commits and changes
    there do not count. A daily job commits its audit on top of the code; the code it measures
    next is still the commit before, and re-running on the same code must give the same audit.
    Untracked files do not make the tree dirty either: the audit files a job writes into the
    repository would otherwise mark every run dirty.
    """
    if not root.is_dir():
        return HeadState(None, None, f"{root} does not exist")
    git = [*_GIT, "--no-optional-locks"]  # a status must not rewrite the index under a user
    spec = [":/"]
    if exclude is not None:
        try:
            spec.append(f":(exclude){exclude.resolve().relative_to(root.resolve()).as_posix()}")
        except ValueError:
            pass  # outside the repository: nothing to leave out
    try:
        head = process.run([*git, "log", "-1", "--format=%H", "HEAD", "--", *spec],
                           cwd=root, env=_ENV, timeout=timeout)
        if head.exit_code != 0 or not head.stdout.strip():
            inside = process.run([*git, "rev-parse", "--is-inside-work-tree"], cwd=root,
                                 env=_ENV, timeout=timeout)
            why = "a git repository without commits" if inside.exit_code == 0 else \
                "not a git repository"
            return HeadState(None, None, why)
        status = process.run([*git, "status", "--porcelain", "--untracked-files=no", "--",
                              *spec], cwd=root, env=_ENV, timeout=timeout)
    except CommandError as exc:
        return HeadState(None, None, f"cannot run git: {exc}")
    dirty = bool(status.stdout.strip()) if status.exit_code == 0 else None
    return HeadState(head.stdout.strip(), dirty)
