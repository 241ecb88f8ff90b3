"""``--commit``: commit exactly the audit files one evaluation wrote, and nothing else.

Rules a scheduled job relies on:
- Other staged changes make it refuse, touching neither the index nor the work tree: whatever
  someone staged stays staged, and the audit files stay written.
- Files that did not change (a re-run on the same data) make no commit.
- Two runs on the same repository take turns: an exclusive lock file in the git directory is
  held from writing the audit to the end of the commit, so neither commits the other's files.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from gacheck.collectors import process
from gacheck.core.errors import CommandError, OutputError
from gacheck.output.lock import wait_for_exclusive

LOCK_NAME = "gacheck-audit.lock"


@dataclass(frozen=True)
class CommitOutcome:
    committed: bool
    message: str
    sha: str | None = None


def _git(repo: Path, *args: str, check: bool = True) -> process.Completed:
    try:
        return process.run(["git", "-C", str(repo), *args], timeout=120, check=check)
    except CommandError as exc:
        raise OutputError(f"--commit: {exc}") from None


def repository_root(path: Path) -> Path:
    """The work tree that holds ``path`` (which may not exist yet)."""
    probe = path
    while not probe.exists():
        probe = probe.parent
    done = _git(probe, "rev-parse", "--show-toplevel", check=False)
    if done.exit_code != 0:
        raise OutputError(f"--commit: {path} is not inside a git repository")
    return Path(done.stdout.strip()).resolve()


@contextmanager
def audit_lock(repo: Path, timeout: float = 600.0) -> Iterator[None]:
    """Hold the repository's audit lock; wait for another run to finish, up to ``timeout``."""
    git_dir = Path(_git(repo, "rev-parse", "--absolute-git-dir").stdout.strip())
    handle = open(git_dir / LOCK_NAME, "a+")  # noqa: SIM115 - closed in finally
    try:
        wait_for_exclusive(handle.fileno(), timeout, f"--commit: another gacheck run holds "
                                                     f"{git_dir / LOCK_NAME} for more than "
                                                     f"{timeout:g}s")
        yield
    finally:
        handle.close()  # closing releases the lock, also when the process dies


def commit_message(audit_date: str, verdict: str, score: float, partial: bool = False) -> str:
    kind = "GA readiness (partial)" if partial else "GA readiness"
    return f"chore(audit): {kind} {audit_date} — {verdict.upper()} (score {score:g})"


def _explain(done: process.Completed) -> str:
    """git's own words, without its "hint:" lines (how to silence hints is not the point)."""
    lines = [
        line.strip() for line in (done.stderr or done.stdout).splitlines()
        if line.strip() and not line.startswith("hint:")
    ]
    return " / ".join(lines[:4]) or f"exit status {done.exit_code}"


def _staged(repo: Path) -> list[str]:
    listing = _git(repo, "diff", "--cached", "--name-only", "-z").stdout
    return sorted(name for name in listing.split("\0") if name)


def commit_files(repo: Path, files: Sequence[Path], message: str) -> CommitOutcome:
    """Stage and commit ``files`` (inside ``repo``) with ``message``; see the module rules."""
    relative = sorted({os.path.relpath(f.resolve(), repo) for f in files})
    outside = [r for r in relative if r.startswith("..")]
    if outside:
        raise OutputError(f"--commit: files outside the repository {repo}: {', '.join(outside)}")
    others = [name for name in _staged(repo) if name not in relative]
    if others:
        shown = ", ".join(others[:10]) + (" ..." if len(others) > 10 else "")
        raise OutputError(
            f"--commit: refusing to commit: other changes are staged ({shown}); "
            "commit or unstage them first. The audit files are written and left uncommitted."
        )
    added = _git(repo, "add", "--", *relative, check=False)
    if added.exit_code != 0:
        raise OutputError("--commit: git add failed: " + _explain(added))
    if _git(repo, "diff", "--cached", "--quiet", "--", *relative, check=False).exit_code == 0:
        return CommitOutcome(False, "audit unchanged; nothing to commit")
    done = _git(repo, "commit", "--quiet", "-m", message, "--", *relative, check=False)
    if done.exit_code != 0:
        _git(repo, "reset", "--quiet", "--", *relative, check=False)  # leave the index as found
        raise OutputError("--commit: git commit failed: " + _explain(done))
    sha = _git(repo, "rev-parse", "--short", "HEAD").stdout.strip()
    return CommitOutcome(True, message, sha)
