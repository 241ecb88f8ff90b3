"""How many requests an evaluation, and each gate, may send to Prometheus.

A look-back that went wrong (a start time of 0 paged a coverage query back to 1970: 11,000
range queries) must not become a flood on the user's server. Every request through the
client's session takes one from the evaluation's budget (``[prometheus].max_requests``) and
one from the budget of the gate it works for (``max_requests_per_gate``; the gate is the one
whose deadline is bound to the thread, ``gacheck.core.deadline``, which range pieces bind on
their fetch threads too). Past either, the request is not sent and the gate is an ``error``
that names the budget and how to raise it. Retries of one request (``[prometheus].retries``)
are not counted again: that setting bounds them.
"""

from __future__ import annotations

import threading

from gacheck.core import deadline
from gacheck.core.errors import CollectorError


class RequestBudgetSpent(CollectorError):
    """A request past ``max_requests`` or ``max_requests_per_gate``: not sent."""


class RequestBudget:
    def __init__(self, per_gate: int, total: int) -> None:
        self.per_gate = per_gate
        self.total = total
        self.sent = 0
        self._lock = threading.Lock()
        self._by_gate: dict[int, tuple[deadline.Deadline, int]] = {}
        """id of a gate's deadline -> (the deadline, kept so its id is not reused; requests)."""

    def take(self) -> None:
        """Count one request, or raise ``RequestBudgetSpent`` when a budget is spent."""
        limit = deadline.current()
        with self._lock:
            if self.sent >= self.total:
                raise RequestBudgetSpent(
                    f"the evaluation's request budget is spent: {self.total:,} requests "
                    "([prometheus].max_requests); raise it if so many are really needed")
            if limit is not None:
                _, used = self._by_gate.get(id(limit), (limit, 0))
                if used >= self.per_gate:
                    raise RequestBudgetSpent(
                        f"the gate's request budget is spent: {self.per_gate:,} requests "
                        "([prometheus].max_requests_per_gate); a look-back too long, or "
                        "raise it if the gate really needs more")
                self._by_gate[id(limit)] = (limit, used + 1)
            self.sent += 1
