"""Built things the suite reuses between runs (a wheel, a venv with it installed, pre-commit's
hook environments), kept under ``~/.cache/gacheck-tests/<kind>/<key>`` (``GACHECK_TEST_CACHE``
names another root).

The key is a hash of everything that goes into the build (``digest``: gacheck's sources and
pyproject, the interpreter, tool versions...), so a changed input is a new entry, never a stale
one. An entry is built in place (venvs cannot move) under the kind's lock file, so pytest-xdist
workers and parallel runs that want it build it once; it counts as present only once its
``.complete`` marker is written. Using an entry touches the marker; entries of a kind unused for
``KEEP`` are deleted, and so are all but the ``newest`` most recently used ones (never one used
within the last hour: a parallel run may be reading it).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

KEEP_S = 3 * 24 * 3600.0
IN_USE_S = 3600.0
_MARKER = ".complete"


def cache_root() -> Path:
    return Path(os.environ.get("GACHECK_TEST_CACHE")
                or os.path.expanduser("~/.cache/gacheck-tests"))


def digest(*parts: str | bytes | Path | Iterable[Path]) -> str:
    """A short hash of strings, bytes and files (a folder: every file in it, by relative path,
    bytecode caches left out)."""
    hashed = hashlib.sha256()
    for part in parts:
        if isinstance(part, Path) and part.is_dir():
            files = sorted(p for p in part.rglob("*") if p.is_file()
                           and "__pycache__" not in p.parts and p.suffix != ".pyc")
            for path in files:
                hashed.update(path.relative_to(part).as_posix().encode() + b"\0")
                hashed.update(path.read_bytes() + b"\0")
        elif isinstance(part, Path):
            hashed.update(part.name.encode() + b"\0" + part.read_bytes() + b"\0")
        elif isinstance(part, str | bytes):
            hashed.update((part.encode() if isinstance(part, str) else part) + b"\0")
        else:
            hashed.update(digest(*sorted(part)).encode())
    return hashed.hexdigest()[:16]


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """An exclusive ``flock`` on ``path`` (made when missing) for the block: one builder."""
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def cached(kind: str, key: str, build: Callable[[Path], None], newest: int = 3) -> Path:
    """The folder of entry ``kind/key``; ``build(folder)`` fills it when it is not there."""
    root = cache_root() / kind
    root.mkdir(parents=True, exist_ok=True)
    entry = root / key
    if not (entry / _MARKER).is_file():
        with locked(root / ".lock"):
            if not (entry / _MARKER).is_file():  # nobody built it while we waited
                shutil.rmtree(entry, ignore_errors=True)  # a build that was interrupted
                entry.mkdir()
                try:
                    build(entry)
                except BaseException:
                    shutil.rmtree(entry, ignore_errors=True)
                    raise
                (entry / _MARKER).touch()
                _forget_old(root, newest)
    (entry / _MARKER).touch()
    return entry


def _forget_old(root: Path, newest: int) -> None:
    now = time.time()
    used = sorted(((p / _MARKER).stat().st_mtime, p) for p in root.iterdir()
                  if (p / _MARKER).is_file())
    for rank, (when, path) in enumerate(reversed(used)):
        idle = now - when
        if idle > IN_USE_S and (rank >= newest or idle > KEEP_S):
            shutil.rmtree(path, ignore_errors=True)
