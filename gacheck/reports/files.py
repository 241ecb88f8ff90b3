"""Where audits go, and writing them so that no reader ever sees half a file."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from gacheck.config import Settings
from gacheck.errors import OutputError


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
        return AuditPaths(
            json=json_path.with_name(f"{json_path.stem}{PARTIAL_MARK}{json_path.suffix}"),
            markdown=markdown.with_name(f"{markdown.stem}{PARTIAL_MARK}{markdown.suffix}"),
            latest_json=None,
            latest_markdown=None,
        )
    return AuditPaths(
        json=output_dir / expand(settings.path_template, at, "json"),
        markdown=output_dir / expand(settings.path_template, at, "md"),
        latest_json=output_dir / expand(latest, at, "json") if latest else None,
        latest_markdown=output_dir / expand(latest, at, "md") if latest else None,
    )


def write_atomic(path: Path, text: str) -> None:
    """Write to a temporary file in the same folder, flush it to disk, then rename it over."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=path.parent, prefix=f".{path.name}.", delete=False
        )
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        with handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(handle.name, 0o644)
        os.replace(handle.name, path)
    except OSError as exc:
        Path(handle.name).unlink(missing_ok=True)
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
