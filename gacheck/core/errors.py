"""The one error hierarchy of gacheck.

Every error carries the exit code the CLI maps it to; only ``cli.py`` turns them into exits.
A ``GateError`` never reaches the CLI: the engine turns it into that gate's ``error`` status.
"""

from __future__ import annotations


class GacheckError(Exception):
    """Base of every error gacheck raises on purpose."""

    exit_code = 2


class UsageError(GacheckError):
    """The command line asks for something that cannot be done (bad flag value, bad date)."""


class ConfigError(GacheckError):
    """The configuration file is missing, unreadable or invalid.

    The message already names the file and the key path.
    """


class OutputError(GacheckError):
    """An audit or report could not be written."""


class GateError(GacheckError):
    """A gate could not measure what it measures; the reason becomes its ``error`` message.

    ``evidence`` (a ``gacheck.core.models.Evidence``) keeps what was gathered before it failed, such
    as the command that exited badly, so that the audit still shows how to reproduce it.
    """

    def __init__(self, message: str, evidence: object | None = None) -> None:
        super().__init__(message)
        self.evidence = evidence


class CollectorError(GateError):
    """A collector (Prometheus, ruff, git, HTTP, ...) failed to bring evidence."""


class CommandError(CollectorError):
    """A subprocess could not be started, timed out, or failed in a way its caller cannot use."""


class NoDataError(GateError):
    """The measurement ran, and there was nothing there to judge (becomes ``no_data``)."""


class FileRefusedError(GacheckError, OSError):
    """A file gacheck will not read: outside its root, not a regular file, or too large.

    An ``OSError`` too, so that every reader's existing "cannot read" handling applies to it.
    """
