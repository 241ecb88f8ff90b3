"""What a request must pass before it is evaluated: the rate, the token, the size, the inputs."""

from __future__ import annotations

import hmac
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from gacheck.core.deadline import monotonic
from gacheck.core.errors import UsageError

ALLOWED_QUERY = frozenset({"config", "only", "at"})
MAX_CLIENTS = 1024


class Refused(UsageError):
    """A request answered with a 4xx: ``status`` and a reason safe to show and log."""

    def __init__(self, status: int, reason: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class Question:
    """What a request asks, before the config is checked: names as the caller wrote them."""

    config: str | None
    only: tuple[str, ...]
    at: str | None


class RateLimit:
    """A token bucket per client address: ``rate`` a second, ``burst`` at once."""

    def __init__(self, rate: float, burst: int) -> None:
        self._rate = rate
        self._burst = float(burst)
        self._lock = threading.Lock()
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def take(self, client: str) -> None:
        now = monotonic()
        with self._lock:
            tokens, last = self._buckets.pop(client, (self._burst, now))
            tokens = min(self._burst, tokens + (now - last) * self._rate)
            if tokens < 1.0:
                self._buckets[client] = (tokens, now)
                raise Refused(429, "rate", "too many requests; slow down")
            self._buckets[client] = (tokens - 1.0, now)
            while len(self._buckets) > MAX_CLIENTS:
                self._buckets.popitem(last=False)


def check_token(expected: str | None, offered: str | None) -> None:
    """Constant-time comparison; no token configured means none is asked for (loopback)."""
    if expected is None:
        return
    if not offered:
        raise Refused(401, "token", "a token is required (Authorization: Bearer, "
                      "X-Gacheck-Token, or Flagger metadata.token)")
    if not hmac.compare_digest(offered.encode(), expected.encode()):
        raise Refused(401, "token", "the token is wrong")


def header_token(headers: Mapping[str, str]) -> str | None:
    auth = headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return headers.get("x-gacheck-token")


def question(values: Mapping[str, str], allowed: frozenset[str] = ALLOWED_QUERY) -> Question:
    """``config``, ``only`` and ``at`` from query parameters or Flagger metadata."""
    unknown = sorted(set(values) - allowed)
    if unknown:
        raise Refused(400, "input", f"unknown parameter(s) {', '.join(unknown)}; "
                      f"allowed: {', '.join(sorted(ALLOWED_QUERY))}")
    for name, value in values.items():
        if not isinstance(value, str) or len(value) > 1024:
            raise Refused(400, "input", f"{name}: expected a string of at most 1024 characters")
    only = tuple(p.strip() for p in values.get("only", "").split(",") if p.strip())
    return Question(values.get("config") or None, only, values.get("at") or None)


def instant(text: str | None, step_s: float, clock: datetime) -> tuple[datetime, bool]:
    """The instant asked for (or the clock's), floored to the step; and whether it was the
    clock's. A future instant is refused: nothing is measured there yet."""
    from gacheck.core.timeparse import parse_instant, refuse_future

    chosen = clock
    if text is not None:
        try:
            chosen = refuse_future(parse_instant(text), clock)
        except UsageError as exc:
            raise Refused(400, "input", str(exc).replace("--at", "at")) from None
    seconds = int(chosen.timestamp() // step_s * step_s)
    return datetime.fromtimestamp(seconds, chosen.tzinfo), text is None
