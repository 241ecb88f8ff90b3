"""Config paths from requests, confined to the served folder.

A request names a config relative to the folder ``serve`` was started on; nothing it says
reaches the file system outside that folder: absolute paths, ``..`` parts and symbolic links
that lead out are refused before any file is opened.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from gacheck.core.errors import UsageError

MAX_PATH = 256


class PathRefused(UsageError):
    """A config path the server will not read (a 400, or 404 when ``missing``)."""

    def __init__(self, message: str, missing: bool = False) -> None:
        super().__init__(message)
        self.missing = missing


def served_config(root: Path, name: str) -> Path:
    """``root / name``, resolved, when it is a ``.toml`` file inside ``root``."""
    if not name or len(name) > MAX_PATH or "\x00" in name or "\\" in name:
        raise PathRefused("config: expected a relative path like gates.toml")
    pure = PurePosixPath(name)
    if pure.is_absolute() or name.startswith("~"):
        raise PathRefused(f"config: {name!r} is absolute; name a file inside the served folder")
    if ".." in pure.parts:
        raise PathRefused(f"config: {name!r} leaves the served folder ('..')")
    if pure.suffix != ".toml":
        raise PathRefused(f"config: {name!r} is not a .toml file")
    base = root.resolve()
    target = (base / pure).resolve()
    if not target.is_relative_to(base):
        raise PathRefused(f"config: {name!r} leads outside the served folder (a symbolic link)")
    if not target.is_file():
        raise PathRefused(f"config: {name!r} is not in the served folder", missing=True)
    return target
