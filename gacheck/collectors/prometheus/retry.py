"""Retries that stop at the gate's time limit.

urllib3 retries a 5xx or a failed connection after a growing back-off (0.5 s, 1 s, 2 s, ...).
The engine gives up on a gate at its limit, but the retries went on behind it: requests at
64 s for a 60 s gate. ``DeadlineRetry`` looks at the deadline of the gate the thread works
for (``gacheck.core.deadline``; range pieces bind it on their fetch threads): a retry whose
back-off (or ``Retry-After``) would end at or after the deadline, or after the gate was
cancelled, is not made. The last answer (a 503) or error is then what the gate reports.
"""

from __future__ import annotations

from typing import Any

from urllib3.exceptions import MaxRetryError, ResponseError
from urllib3.util.retry import Retry

from gacheck.core import deadline

MARGIN_S = 0.05
"""A retry is sent only when at least this much of the gate's time is left after its wait."""


class DeadlineRetry(Retry):
    def increment(self, method: str | None = None, url: str | None = None,
                  response: Any = None, error: Exception | None = None, _pool: Any = None,
                  _stacktrace: Any = None) -> DeadlineRetry:
        new = super().increment(method, url, response, error, _pool, _stacktrace)
        limit = deadline.current()
        if limit is None:
            return new
        wait = new.get_backoff_time()
        if response is not None and new.respect_retry_after_header:
            wait = max(wait, new.get_retry_after(response) or 0.0)
        if limit.cancelled or limit.remaining() <= wait + MARGIN_S:
            reason = error or ResponseError("the gate's time limit comes before the next retry")
            raise MaxRetryError(_pool, url or "", reason)
        return new
