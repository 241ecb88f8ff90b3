"""Exit codes: a release gate must tell "not ready" (1) from "could not tell" (3)."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0  # pass, or warn without --strict
    NOT_READY = 1  # fail, or warn with --strict, or a gate got worse (diff)
    USAGE = 2  # bad command line or config, or output that could not be written
    INCOMPLETE = 3  # a blocking gate could not be measured
    INTERRUPTED = 130
