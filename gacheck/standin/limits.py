"""The stand-in's rate limiter and idempotency store, shaped like LUKHAS' (see its facts).

Rate limiting: a token bucket per route and principal (a hash of the bearer token, else the
client address), ``limit`` requests per second refilled continuously, holding at most
``limit`` tokens (one second of burst). Every answer carries ``X-RateLimit-Limit``,
``-Remaining``, ``-Reset`` and the OpenAI-style ``x-ratelimit-*-requests`` aliases (the token
dimensions present but ``0``); a refused request gets ``Retry-After`` in whole seconds, at
least 1. Faults for the tests and the demo: a declared limit that lies (``declared_factor``),
a limiter that never refuses, a 500 in place of a 429 under burst.

Idempotency: answers to requests with an ``Idempotency-Key`` are kept (status, body, content
type) by route, principal and key and replayed as they are; a duplicate that arrives while the
first is in flight waits for it. ``conflict = "replay"`` (LUKHAS) replays even when the body
differs; ``"reject"`` answers 422 as the IETF draft asks.
"""

from __future__ import annotations

import hashlib
import math
import threading
from collections import Counter
from dataclasses import dataclass, field

from gacheck.core.deadline import monotonic


def principal_of(authorization: str | None, address: str) -> str:
    if authorization and authorization.startswith("Bearer "):
        return hashlib.sha256(authorization[7:].encode()).hexdigest()[:12]
    return address


@dataclass
class Decision:
    allowed: bool
    headers: dict[str, str]
    retry_after: int = 0


@dataclass
class Limiter:
    default_limit: float = 1000.0
    limits: dict[str, float] = field(default_factory=dict)
    declared_factor: float = 1.0
    """The declared limit is the enforced one times this (1.0: honest)."""
    never_refuse: bool = False
    error_under_burst: bool = False
    """Answer 500 where a 429 is due (a limiter that crashes when the bucket runs dry)."""
    ietf: bool = False
    """Also send the IETF ``RateLimit-Policy`` and ``RateLimit`` fields."""
    exceeded: Counter[tuple[str, str]] = field(default_factory=Counter)
    _buckets: dict[tuple[str, str], tuple[float, float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def limit_for(self, route: str) -> float:
        return self.limits.get(route, self.default_limit)

    def take(self, route: str, principal: str) -> Decision:
        limit = self.limit_for(route)
        now = monotonic()
        with self._lock:
            tokens, last = self._buckets.get((route, principal), (limit, now))
            tokens = min(limit, tokens + (now - last) * limit)
            allowed = tokens >= 1 or self.never_refuse
            if tokens >= 1:
                tokens -= 1
            self._buckets[(route, principal)] = (tokens, now)
            if not allowed:
                self.exceeded[(route, principal)] += 1
        remaining = max(0, math.floor(tokens))
        reset = math.ceil((limit - tokens) / limit) if tokens < limit else 0
        retry = max(1, math.ceil((1 - tokens) / limit)) if not allowed else 0
        return Decision(allowed, self._headers(limit, remaining, reset), retry)

    def _headers(self, limit: float, remaining: int, reset: int) -> dict[str, str]:
        declared = f"{limit * self.declared_factor:g}"
        headers = {"X-RateLimit-Limit": declared, "X-RateLimit-Remaining": str(remaining),
                   "X-RateLimit-Reset": str(reset),
                   "x-ratelimit-limit-requests": declared,
                   "x-ratelimit-remaining-requests": str(remaining),
                   "x-ratelimit-reset-requests": f"{reset}s",
                   "x-ratelimit-limit-tokens": "0", "x-ratelimit-remaining-tokens": "0",
                   "x-ratelimit-reset-tokens": "0s"}
        if self.ietf:
            headers["RateLimit-Policy"] = f'"default";q={declared};w=1'
            headers["RateLimit"] = f'"default";r={remaining};t={reset}'
        return headers


@dataclass
class Stored:
    status: int
    body: bytes
    content_type: str
    digest: str


@dataclass
class IdempotencyStore:
    enabled: bool = True
    conflict: str = "replay"
    """``replay`` (LUKHAS: the key alone decides) or ``reject`` (422, the IETF draft)."""
    ttl_s: float = 300.0
    _done: dict[tuple[str, str, str], tuple[float, Stored]] = field(default_factory=dict)
    _flight: dict[tuple[str, str, str], threading.Event] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def claim(self, key: tuple[str, str, str], wait_s: float = 30.0) -> Stored | None:
        """The stored answer for ``key``, or None when the caller is to do the work (it then
        calls ``finish``). A duplicate of a request in flight waits for it."""
        while True:
            with self._lock:
                stored = self._done.get(key)
                if stored and monotonic() - stored[0] < self.ttl_s:
                    return stored[1]
                event = self._flight.get(key)
                if event is None:
                    self._flight[key] = threading.Event()
                    return None
            if not event.wait(wait_s):
                return None

    def finish(self, key: tuple[str, str, str], stored: Stored | None) -> None:
        with self._lock:
            if stored is not None and stored.status < 500:
                self._done[key] = (monotonic(), stored)
            event = self._flight.pop(key, None)
        if event is not None:
            event.set()


def digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()
