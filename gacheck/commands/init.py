"""``gacheck init``: start a repository's gate config (and a CI workflow) from a shipped profile.

It never overwrites: an existing file is an error that names it, and nothing is written.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

NAME = "init"
HELP = "write config/gates.toml (and optionally a CI workflow) into a repository"
CONFIG_PATH = Path("config/gates.toml")
WORKFLOW_PATHS = {"github": Path(".github/workflows/ga-readiness.yml")}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--profile", choices=("lukhas", "minimal"), default="lukhas",
                        help="lukhas: the GA checklist of LUKHAS v0.9.0-rc (nine gates); "
                        "minimal: soak duration and critical alerts (default: lukhas)")
    parser.add_argument("--ci", choices=("github",),
                        help="also write a release-gate workflow using gacheck's GitHub Action")
    parser.add_argument("--repo", default=".", metavar="PATH",
                        help="repository root to write into (default: the current directory)")


def run(args: argparse.Namespace) -> int:
    from gacheck.core.errors import UsageError
    from gacheck.output.files import write_atomic
    from gacheck.profiles import profile_text, workflow_text

    repo = Path(args.repo).expanduser()
    if not repo.is_dir():
        raise UsageError(f"--repo: {repo} is not a directory")
    planned = [(repo / CONFIG_PATH, profile_text(args.profile))]
    if args.ci:
        planned.append((repo / WORKFLOW_PATHS[args.ci], workflow_text(args.ci)))
    existing = [str(path) for path, _ in planned if path.exists()]
    if existing:
        raise UsageError(f"{', '.join(existing)} already exists; gacheck init does not overwrite "
                         "(move it away, or edit it)")
    for path, text in planned:
        write_atomic(path, text)
        sys.stdout.write(f"wrote {path}\n")
    sys.stdout.write(
        "next: edit the thresholds and selectors, then `gacheck validate` and "
        "`gacheck evaluate --prometheus-url URL` (README.md, docs/gates/<kind>.md)\n")
    return 0
