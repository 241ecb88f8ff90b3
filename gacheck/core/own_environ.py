"""Variables gacheck sets in its own environment for itself, kept out of the programs it runs.

A child process (ruff, a command gate's program) inherits ``os.environ``; what gacheck set only
to tune its own libraries must not change how the user's programs behave.
"""

from __future__ import annotations

import os

_OWN: dict[str, str] = {}


def set_own(name: str, value: str) -> None:
    """Set ``name`` for this process unless the user already did."""
    if name not in os.environ:
        os.environ[name] = value
        _OWN[name] = value


def inherited() -> dict[str, str]:
    """This process's environment less the variables gacheck set for itself."""
    return {k: v for k, v in os.environ.items() if _OWN.get(k) != v}
