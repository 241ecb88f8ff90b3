"""``gacheck site``: a static HTML dashboard from audit folders (GA and research audits).

Each ``--audits DIR`` is read with any file layout (every JSON audit under it, ``latest``
copies left out); without one, the folder the config writes its audits to. Files that are not
usable audits (corrupt, partial writes, future-dated, too large) are named on stderr and on
the overview, and left out.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from gacheck.core.deadline import monotonic

if TYPE_CHECKING:
    from gacheck.config.model import Settings
    from gacheck.output.site_files import SiteWritten

NAME = "site"
HELP = "build a static HTML dashboard (overview, a page per gate and per audit) from the audits"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--audits", action="append", default=[], metavar="DIR",
                        help="a folder of audits (repeat for GA and research audits; default: "
                        "the config's output_dir)")
    parser.add_argument("--out", default="site", metavar="DIR",
                        help="where the site goes (default: site)")
    parser.add_argument("--config", metavar="PATH",
                        help="config whose output_dir holds the audits, when no --audits is "
                        "given (default: config/gates.toml)")
    parser.add_argument("--repo", metavar="PATH",
                        help="repository root the config's output_dir is relative to")


def _folders(args: argparse.Namespace) -> list[tuple[Path, Settings]]:
    from gacheck.commands.audits import audit_location
    from gacheck.core.errors import UsageError
    from gacheck.history.archive import ANY_LAYOUT

    if not args.audits:
        args.dir = None
        return [audit_location(args)]
    found = []
    for given in args.audits:
        directory = Path(given)
        if not directory.is_dir():
            raise UsageError(f"--audits {given}: not a folder")
        found.append((directory.resolve(), ANY_LAYOUT))
    return found


def build(audit_dirs: list[tuple[Path, Settings]], out: Path) -> tuple[SiteWritten, list[str]]:
    """Read the folders, render and write the site: (what was written, skipped files)."""
    from gacheck.core.timeparse import now
    from gacheck.history.archive import read_folder
    from gacheck.output.site_files import write_site
    from gacheck.reports.site.model import build_folder
    from gacheck.reports.site.render import render_site

    at = now()
    taken: set[str] = set()
    views = []
    names: set[str] = set()
    for directory, settings in audit_dirs:
        name = directory.name if directory.name not in names else str(directory)
        names.add(name)
        views.append(build_folder(read_folder(directory, settings, at, name), taken))
    written = write_site(out, render_site(views, at))
    return written, [s for view in views for s in view.skipped]


def run(args: argparse.Namespace) -> int:
    started = monotonic()
    written, skipped = build(_folders(args), Path(args.out))
    for note in skipped:
        sys.stderr.write(f"gacheck: skipped {note}\n")
    sys.stderr.write(
        f"gacheck: site written to {written.directory}: {written.pages} files, "
        f"{written.bytes / 1e6:.1f} MB in {monotonic() - started:.1f}s; open "
        f"{written.directory / 'index.html'}\n")
    return 0
