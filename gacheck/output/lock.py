"""The one way gacheck waits for a file lock: ``flock`` polled until a deadline.

A blocking ``flock`` cannot time out, and a run that waits forever behind a stuck writer is
worse than one that says who holds the lock; closing the descriptor releases the lock, also
when the process dies.
"""

from __future__ import annotations

import fcntl
import time

from gacheck.core.deadline import monotonic
from gacheck.core.errors import OutputError

POLL_S = 0.05


def wait_for_exclusive(fd: int, timeout: float, held_by_another: str) -> None:
    """Take ``fd``'s exclusive lock, waiting up to ``timeout`` seconds for another holder;
    ``OutputError(held_by_another)`` when it is still held then."""
    deadline = monotonic() + timeout
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if monotonic() >= deadline:
                raise OutputError(held_by_another) from None
            time.sleep(POLL_S)
