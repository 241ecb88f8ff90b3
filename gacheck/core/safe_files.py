"""Reading files that the release candidate or earlier runs put on disk: confined and bounded.

Everything under the repository or the audit directory is untrusted. A file is read only when
its real path (links resolved) lies inside its root, it is a regular file (a FIFO would block,
``/dev/zero`` never ends), and it is no larger than the caller's cap. Every such reader goes
through ``read_bytes_confined``.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from gacheck.core.errors import FileRefusedError

MiB = 1024 * 1024
_CHUNK = 1024 * 1024
_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NOFOLLOW", 0)  # the resolved path has no link left; a swapped-in one fails
    | getattr(os, "O_NONBLOCK", 0)  # opening a FIFO must not wait for a writer
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_CLOEXEC", 0)
)


def size_text(size: int) -> str:
    if size < MiB:
        return f"{size:,} bytes"
    return f"{size / MiB:.1f}".removesuffix(".0") + " MiB"


def is_inside(path: str | Path, root: str | Path) -> bool:
    """True when ``path``, links resolved, is ``root`` (links resolved) or below it."""
    real, real_root = os.path.realpath(path), os.path.realpath(root)
    return real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)


def root_for(path: str | Path, repo: str | Path) -> Path:
    """The root a file named by the config is confined to: the repository when the name is in
    it, else the file's own folder (a file the config names outside the repository)."""
    lexical = os.path.normpath(os.path.abspath(path))
    top = os.path.normpath(os.path.abspath(repo))
    if lexical == top or lexical.startswith(top.rstrip(os.sep) + os.sep):
        return Path(top)
    return Path(os.path.dirname(lexical))


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def read_bytes_confined(path: str | Path, root: str | Path, max_bytes: int) -> bytes:
    """The bytes of ``path``; ``FileRefusedError`` saying why it will not be read.

    ``FileNotFoundError`` (and other ``OSError``) propagate as they are, for the caller to word.
    """
    shown = str(path)
    if not is_inside(path, root):
        raise FileRefusedError(
            f"{shown}: resolves to {os.path.realpath(path)}, outside {root}: not read"
        )
    try:
        fd = os.open(os.path.realpath(path), _FLAGS)
    except OSError as exc:
        if exc.errno == getattr(os, "ELOOP", -1):
            raise FileRefusedError(f"{shown}: became a symbolic link while read: not read") \
                from None
        raise
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = _kind(info.st_mode)
            raise FileRefusedError(f"{shown}: is {kind}, not a regular file: not read")
        if info.st_size > max_bytes:
            raise FileRefusedError(
                f"{shown}: {size_text(info.st_size)}, larger than the limit of "
                f"{size_text(max_bytes)}: not read"
            )
        chunks: list[bytes] = []
        received = 0
        while True:
            chunk = os.read(fd, min(_CHUNK, max_bytes + 1 - received))
            if not chunk:
                break
            received += len(chunk)
            if received > max_bytes:  # it grew while we read it
                raise FileRefusedError(
                    f"{shown}: larger than the limit of {size_text(max_bytes)}: not read"
                )
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_text_confined(path: str | Path, root: str | Path, max_bytes: int) -> str:
    """``read_bytes_confined`` decoded as UTF-8 (``UnicodeDecodeError`` propagates)."""
    return read_bytes_confined(path, root, max_bytes).decode("utf-8")
