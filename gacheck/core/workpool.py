"""A small bounded pool of daemon threads for calls that must not wait on each other's threads.

``WorkPool(size)`` runs submitted calls first come, first served, on at most ``size`` threads,
started on demand; a thread idle for ``idle_s`` ends, so a pool nobody closes leaves no thread
behind for long. Calls handle their own errors (one that escapes is logged, and the thread
goes on). The evaluation's Prometheus client has one for its range pieces: every gate's pieces
share its ``[prometheus] max_concurrency`` threads, instead of threads of their own.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable

log = logging.getLogger(__name__)

IDLE_S = 2.0


class WorkPool:
    def __init__(self, size: int, name: str = "gacheck-pool", idle_s: float = IDLE_S) -> None:
        self.size = max(1, size)
        self.name = name
        self.idle_s = idle_s
        self._tasks: deque[Callable[[], object]] = deque()
        self._changed = threading.Condition()
        self._threads = 0
        self._idle = 0

    @property
    def threads(self) -> int:
        """Threads alive now (at most ``size``)."""
        return self._threads

    def submit(self, call: Callable[[], object]) -> None:
        with self._changed:
            self._tasks.append(call)
            if len(self._tasks) > self._idle and self._threads < self.size:
                self._threads += 1
                try:
                    threading.Thread(target=self._run, daemon=True,
                                     name=f"{self.name}-{self._threads}").start()
                except BaseException:
                    self._threads -= 1
                    if not self._threads:  # nobody would ever run it
                        self._tasks.pop()
                        raise
            self._changed.notify()

    def _run(self) -> None:
        while True:
            with self._changed:
                while not self._tasks:
                    self._idle += 1
                    woken = self._changed.wait(self.idle_s)
                    self._idle -= 1
                    if not woken and not self._tasks:
                        self._threads -= 1
                        return
                call = self._tasks.popleft()
            try:
                call()
            except BaseException:  # calls report their own errors; this one is a bug
                log.exception("a call on %s raised", self.name)
            del call
