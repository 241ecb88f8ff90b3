"""Where an evaluation's audit files live: dated paths from the config's templates, the
``latest`` copies, and the name a partial audit gets. Reading earlier audits and writing new
ones both follow it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from gacheck.config.model import Settings
from gacheck.core.errors import OutputError


@dataclass(frozen=True)
class AuditPaths:
    """The dated files of one evaluation, and the ``latest`` copies beside them."""

    json: Path
    markdown: Path
    latest_json: Path | None
    latest_markdown: Path | None

    def all(self) -> list[Path]:
        return [p for p in (self.json, self.markdown, self.latest_json, self.latest_markdown) if p]


def expand(template: str, at: datetime, ext: str) -> str:
    try:
        return template.format(
            date=at.strftime("%Y-%m-%d"), time=at.strftime("%H%M%S"), ext=ext,
            stamp=at.strftime("%Y%m%dT%H%M%SZ"),
        )
    except (KeyError, IndexError, ValueError) as exc:
        raise OutputError(
            f"output path template {template!r}: unknown placeholder {exc} "
            "(use {date}, {time}, {stamp}, {ext})"
        ) from None


PARTIAL_MARK = ".partial"
"""Inserted before the extension of a partial audit's files: ``ga-readiness.partial.json``."""


def audit_paths(
    settings: Settings, output_dir: Path, at: datetime, partial: bool = False
) -> AuditPaths:
    """The files of an evaluation at ``at``. A partial one (gates left out by ``--only`` or
    ``--skip``) goes beside the day's full audit under its own name and has no ``latest``
    copies: it must never replace a full audit."""
    latest = settings.latest_template
    if partial:
        json_path = output_dir / expand(settings.path_template, at, "json")
        markdown = output_dir / expand(settings.path_template, at, "md")
        paths = AuditPaths(
            json=json_path.with_name(f"{json_path.stem}{PARTIAL_MARK}{json_path.suffix}"),
            markdown=markdown.with_name(f"{markdown.stem}{PARTIAL_MARK}{markdown.suffix}"),
            latest_json=None,
            latest_markdown=None,
        )
        for path in paths.all():
            refuse_linked_folders(path, output_dir)
        return paths
    paths = AuditPaths(
        json=output_dir / expand(settings.path_template, at, "json"),
        markdown=output_dir / expand(settings.path_template, at, "md"),
        latest_json=output_dir / expand(latest, at, "json") if latest else None,
        latest_markdown=output_dir / expand(latest, at, "md") if latest else None,
    )
    for path in paths.all():
        refuse_linked_folders(path, output_dir)
    return paths


def refuse_linked_folders(path: Path, output_dir: Path) -> None:
    """``OutputError`` when a folder between ``output_dir`` and ``path`` (the dated folder) is
    a symbolic link: audits are written where the template says, not wherever a link points."""
    try:
        inner = path.parent.relative_to(output_dir)
    except ValueError:
        return
    folder = output_dir
    for part in inner.parts:
        folder = folder / part
        if folder.is_symlink():
            raise OutputError(
                f"cannot write {path}: {folder} is a symbolic link (audits are not written "
                "through links; remove it)"
            )
