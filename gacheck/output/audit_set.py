"""The files of one evaluation as one unit: all of them land, or none do.

Every file (dated JSON and Markdown, charts, ``latest`` copies) is first written and flushed
under a temporary name beside its target. Only when all are written, a small rename journal is
put down (itself atomically) and the temporary files are renamed over their targets; then the
journal goes. A run killed while writing leaves only temporary files, which the next run
deletes; a run killed while renaming leaves the journal, and the next run finishes the renames.

An exclusive ``flock`` on the audit directory serialises evaluations that write there, from
reading the earlier audits for trends to the last rename, and covers the clean-up of strays.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from gacheck.core.errors import OutputError
from gacheck.core.secrets import Secrets
from gacheck.output.files import TEMP_MARK, redacted, write_temp
from gacheck.output.lock import wait_for_exclusive

JOURNAL = ".gacheck-renames.json"
AUDIT_SUFFIXES = (".json", ".md", ".png")
LOCK_FILE = ".gacheck.lock"
LOCK_TIMEOUT_S = 600.0


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot sync a directory; the renames are done all the same
    finally:
        os.close(fd)


def _open_lock(directory: Path) -> int:
    """The directory itself is the lock; a hidden file in it where directories cannot be."""
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return os.open(directory / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        fcntl.flock(fd, fcntl.LOCK_UN)
    except BlockingIOError:
        pass  # held by another run right now: the lock works here
    except OSError:  # a file system without flock on directories
        os.close(fd)
        return os.open(directory / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    return fd


@contextmanager
def directory_lock(directory: Path, timeout: float = LOCK_TIMEOUT_S) -> Iterator[None]:
    """Hold the audit directory's exclusive lock; wait for another run, up to ``timeout``."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd = _open_lock(directory)
    except OSError as exc:
        raise OutputError(f"cannot write {directory}: {exc.strerror or exc}") from None
    try:
        wait_for_exclusive(fd, timeout, f"another gacheck run has been writing to {directory} "
                                        f"for more than {timeout:g}s")
        yield
    finally:
        os.close(fd)  # closing releases the lock, also when the process dies


def _finish_journal(directory: Path) -> list[str]:
    """Renames a killed run had begun: finished (each temporary file still there is renamed)."""
    journal = directory / JOURNAL
    try:
        pairs = json.loads(journal.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, ValueError):
        journal.unlink(missing_ok=True)
        return []
    done = []
    for pair in pairs if isinstance(pairs, list) else []:
        found = _journal_entry(directory, pair)
        if found is not None and found[0].is_file():
            os.replace(*found)
            done.append(str(found[1]))
    journal.unlink(missing_ok=True)
    return done


def _journal_entry(directory: Path, pair: object) -> tuple[Path, Path] | None:
    """A (temporary, target) pair as this module writes them, else None: the audit directory
    may come with the release under test, so a journal in it is untrusted and may only move one
    of our temporary files onto the audit file it was named after, in the same folder."""
    if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, str) for p in pair)):
        return None
    temp, target = (Path(p) for p in pair)
    if temp.is_absolute() or target.is_absolute() or ".." in (*temp.parts, *target.parts):
        return None
    if temp.parent != target.parent or target.suffix not in AUDIT_SUFFIXES:
        return None
    prefix, suffix = f".{target.stem}.", f"{TEMP_MARK}{target.suffix}"
    middle = temp.name[len(prefix):-len(suffix)] if temp.name.startswith(prefix) else ""
    if not (temp.name.endswith(suffix) and len(middle) == 8 and middle.isalnum()):
        return None
    folder = (directory / target.parent).resolve()
    if folder != directory.resolve() and directory.resolve() not in folder.parents:
        return None  # a folder that is a link out of the audit directory
    return folder / temp.name, folder / target.name


def recover(directory: Path, folders: Sequence[Path]) -> list[Path]:
    """Under the lock: finish an interrupted rename, delete temporary files of killed runs."""
    if not directory.is_dir():
        return []
    _finish_journal(directory)
    removed = []
    for folder in {directory, *folders}:
        try:
            strays = [p for p in folder.iterdir() if p.name.startswith(".") and TEMP_MARK in p.name]
        except OSError:
            continue
        for stray in strays:
            if stray.is_file() and not stray.is_symlink():
                stray.unlink(missing_ok=True)
                removed.append(stray)
    return removed


class AuditSet:
    """Files staged under temporary names inside ``directory``, renamed by ``commit``."""

    def __init__(self, directory: Path, secrets: Secrets) -> None:
        self.directory = directory
        self._secrets = secrets
        self._staged: list[tuple[Path, Path]] = []
        self._made: list[Path] = []

    def _folder(self, path: Path) -> None:
        missing = []
        probe = path.parent
        while not probe.exists():
            missing.append(probe)
            probe = probe.parent
        path.parent.mkdir(parents=True, exist_ok=True)
        self._made.extend(missing)

    def add_text(self, path: Path, text: str) -> None:
        self.add_bytes(path, redacted(path, text, self._secrets).encode("utf-8"))

    def add_bytes(self, path: Path, data: bytes) -> None:
        try:
            self._folder(path)
            self._staged.append((write_temp(path, data), path))
        except OSError as exc:
            self.discard()
            raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None

    def commit(self) -> list[Path]:
        """Rename every staged file over its target; the journal lets a killed rename finish."""
        journal = self.directory / JOURNAL
        pairs = [
            [os.path.relpath(temp, self.directory), os.path.relpath(target, self.directory)]
            for temp, target in self._staged
        ]
        try:
            written = write_temp(journal, json.dumps(pairs).encode("utf-8"))
            os.replace(written, journal)
        except OSError as exc:
            self.discard()
            raise OutputError(f"cannot write {self.directory}: {exc.strerror or exc}") from None
        try:
            for temp, target in self._staged:
                os.replace(temp, target)
            for folder in {target.parent for _, target in self._staged}:
                _fsync_dir(folder)
            journal.unlink()
            _fsync_dir(self.directory)
        except OSError as exc:
            # Renames within one folder need no space: this is a vanished folder or worse.
            # The journal stays, so the next run finishes what it can.
            raise OutputError(
                f"cannot complete the audit set in {self.directory}: {exc.strerror or exc}"
            ) from None
        targets = [target for _, target in self._staged]
        self._staged = []
        return targets

    def discard(self) -> None:
        """Delete what was staged, and the folders made for it: nothing of this run remains."""
        for temp, _ in self._staged:
            try:
                temp.unlink(missing_ok=True)
            except OSError:
                pass  # left for the next run's clean-up
        self._staged = []
        for folder in reversed(self._made):
            try:
                folder.rmdir()
            except OSError:
                pass
        self._made = []
