"""Bytes of Prometheus answers being read at once, shared by an evaluation's requests.

Each answer is capped at ``[prometheus].max_body``, but three queries of one gate (its range
pieces and the coverage query) read side by side, so three gzip bombs used to hold three
caps' worth of memory before each was refused. The oldest answer being read never waits: it
either completes or reaches its own cap and is refused, so there is no deadlock. Younger
ones pause (their sockets apply back-pressure) while what is being read would pass half the
cap, so partial answers together hold at most 1.5 caps. Bytes are given back when a read ends.
Answers of ordinary size never wait: the pause only starts past half the cap.
"""

from __future__ import annotations

import threading
from itertools import count

from gacheck.core.deadline import monotonic


class ReadBudget:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0
        self._changed = threading.Condition()
        self._tickets = count()
        self._reading: dict[int, int] = {}
        """Ticket (order of arrival) -> bytes read so far, for each answer being read."""

    def start(self) -> int:
        with self._changed:
            ticket = next(self._tickets)
            self._reading[ticket] = 0
            return ticket

    def take(self, ticket: int, size: int, deadline: float) -> bool:
        """Count ``size`` more bytes for ``ticket``, waiting while a younger answer would pass
        half the cap; ``False`` when the deadline passed first."""
        with self._changed:
            while ticket != min(self._reading) and self.used + size > self.limit // 2:
                left = deadline - monotonic()
                if left <= 0:
                    return False
                self._changed.wait(left)
            self._reading[ticket] += size
            self.used += size
            return True

    def end(self, ticket: int) -> None:
        with self._changed:
            self.used -= self._reading.pop(ticket, 0)
            self._changed.notify_all()
