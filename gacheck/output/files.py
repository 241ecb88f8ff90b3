"""Where audits go, and writing them so that no reader ever sees half a file."""

from __future__ import annotations

import os
from pathlib import Path

from gacheck.core.errors import OutputError
from gacheck.core.secrets import Secrets, current

TEMP_MARK = ".gacheck-tmp"
"""In the name of every temporary file gacheck writes, so that a later run can find strays."""


def temp_name(path: Path) -> str:
    """A hidden name beside ``path`` that keeps its extension (matplotlib and editors look)."""
    return f".{path.stem}.{os.urandom(4).hex()}{TEMP_MARK}{path.suffix}"


def write_temp(path: Path, data: bytes) -> Path:
    """``data`` written and flushed to disk under a temporary name beside ``path``."""
    temp = path.with_name(temp_name(path))
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o644)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return temp


def redacted(path: Path, text: str, secrets: Secrets) -> str:
    """``text`` without secrets; a JSON file is redacted value by value, so it stays JSON."""
    if path.suffix == ".json":
        import json

        try:
            document = json.loads(text)
        except ValueError:
            return secrets.redact(text)
        cleaned = secrets.redact_data(document, keys=False)  # keys are the schema's words
        if cleaned == document:
            return text
        return json.dumps(cleaned, indent=2, ensure_ascii=False) + "\n"
    return secrets.redact(text)


def write_atomic(path: Path, text: str, secrets: Secrets | None = None) -> None:
    """Write to a temporary file in the same folder, flush it to disk, then rename it over.

    The text is redacted on the way (``secrets``, default: the running command's registry).
    """
    data = redacted(path, text, secrets or current()).encode("utf-8")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = write_temp(path, data)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        os.replace(temp, path)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
