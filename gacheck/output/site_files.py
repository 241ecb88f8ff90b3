"""Writing the dashboard (``gacheck site``): every page written atomically (no reader sees half
a page), under the folder's lock (two builds take turns), and the pages of the previous build
that this one no longer has removed. Only files listed in the site's manifest, which this
module writes, are ever removed: the folder may hold other things."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from gacheck.core.errors import OutputError
from gacheck.core.safe_files import is_inside, read_text_confined
from gacheck.output.audit_set import directory_lock
from gacheck.output.files import write_atomic

MANIFEST = ".gacheck-site-pages.txt"
"""The pages of the last build, one a line (not JSON: an audit folder may hold the site)."""


@dataclass(frozen=True)
class SiteWritten:
    directory: Path
    pages: int
    removed: int
    bytes: int


MAX_MANIFEST_BYTES = 4 * 1024 * 1024
REMOVABLE = frozenset({".html", ".css", ".svg"})
"""What a build writes; a manifest line naming anything else is not removed."""


def _previous(out: Path) -> list[str]:
    """The last build's pages; a manifest that is not one (too large, a link out, binary) is
    no list at all: nothing is removed on its word."""
    try:
        text = read_text_confined(out / MANIFEST, out, MAX_MANIFEST_BYTES)
    except (OSError, ValueError):  # FileRefusedError is an OSError
        return []
    return text.splitlines()


def _inside(out: Path, relative: str) -> Path | None:
    """``out / relative`` when it stays inside ``out``, links resolved (a manifest may have
    been edited, or a folder of the site replaced by a link)."""
    if not relative or os.path.isabs(relative) or ".." in Path(relative).parts:
        return None
    path = out / relative
    return path if is_inside(path.parent, out) else None


def write_site(out: Path, pages: dict[str, str]) -> SiteWritten:
    """Write ``pages`` (relative path -> text) under ``out``; remove the earlier build's
    pages that are gone."""
    if out.exists() and not out.is_dir():
        raise OutputError(f"cannot write the site to {out}: not a folder")
    size = 0
    with directory_lock(out):
        old = _previous(out)
        for relative, text in pages.items():
            path = _inside(out, relative)
            if path is None:
                raise OutputError(f"refusing to write {relative!r} outside {out}")
            write_atomic(path, text)
            size += len(text.encode("utf-8"))
        removed = 0
        for relative in set(old) - set(pages):
            path = _inside(out, relative)
            if (path is not None and path.suffix in REMOVABLE and path.is_file()
                    and not path.is_symlink()):
                path.unlink()
                removed += 1
        write_atomic(out / MANIFEST, "".join(f"{p}\n" for p in sorted(pages)))
    return SiteWritten(out, len(pages), removed, size)
