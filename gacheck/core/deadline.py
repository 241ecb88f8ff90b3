"""A gate's time limit, known to everything that runs on its behalf.

The engine gives each gate a ``Deadline`` (in its ``Context`` and bound to the gate's thread);
``collectors.process`` shortens every subprocess timeout to it and kills the process group as
soon as the engine cancels it, so a gate that runs out of time stops its work (ruff, git,
pip-audit, commands) instead of running on in a thread nobody waits for. Clean-up commands
(removing a temporary worktree) still run after a cancel: they ask for ``cleanup=True``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

_bound = threading.local()


def monotonic() -> float:
    """Seconds on a clock that only moves forward: every time limit and duration in gacheck.

    Read with ``clock_gettime`` rather than ``time.monotonic``: freezegun, which tests use to
    fix the evaluation's date, patches ``time.monotonic`` and answers real or frozen time
    depending on the caller's stack depth, so a limit set on one clock and checked on the other
    passed at once (or never)."""
    return time.clock_gettime(time.CLOCK_MONOTONIC)


@dataclass
class Deadline:
    at: float
    """``monotonic()`` by which the gate must be done."""
    _cancelled: threading.Event = field(default_factory=threading.Event, repr=False)

    @classmethod
    def after(cls, seconds: float) -> Deadline:
        return cls(monotonic() + seconds)

    def remaining(self) -> float:
        return max(0.0, self.at - monotonic())

    def cancel(self) -> None:
        self._cancelled.set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``; True as soon as the deadline is cancelled."""
        return self._cancelled.wait(seconds)


def current() -> Deadline | None:
    """The deadline of the gate this thread works for, if any."""
    return getattr(_bound, "deadline", None)


@contextmanager
def bound(deadline: Deadline | None) -> Iterator[None]:
    """Make ``deadline`` this thread's for the duration of the block."""
    previous = current()
    _bound.deadline = deadline
    try:
        yield
    finally:
        _bound.deadline = previous
