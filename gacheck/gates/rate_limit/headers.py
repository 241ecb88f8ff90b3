"""Rate-limit header fields, read from an answer: three families, one reading each.

- ``X-RateLimit-Limit`` / ``-Remaining`` / ``-Reset`` (LUKHAS, GitHub and many others);
- the OpenAI-style ``x-ratelimit-limit-requests`` / ``-remaining-requests`` /
  ``-reset-requests`` (reset as a Go duration: ``1s``, ``6m0s``, ``20ms``);
- the IETF draft's ``RateLimit-Policy`` (``"name";q=100;w=60``, older drafts ``100;w=60``) and
  ``RateLimit`` (``"name";r=50;t=30``, older ``limit=100, remaining=50, reset=30``).

A field that is present but does not parse raises ``GateError`` naming the field and value:
a limit gacheck cannot read is not a limit it may assume.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

from gacheck.core.errors import GateError

_GO_DURATION = re.compile(r"^(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m(?!s))?"
                          r"(?:(\d+(?:\.\d+)?)s)?(?:(\d+(?:\.\d+)?)ms)?$")
_SHOWN = {"x-ratelimit-limit": "X-RateLimit-Limit",
          "x-ratelimit-remaining": "X-RateLimit-Remaining",
          "x-ratelimit-reset": "X-RateLimit-Reset"}
_PARAM = re.compile(r'([A-Za-z][\w-]*)\s*=\s*("?)([^;,"]*)\2')


@dataclass(frozen=True)
class Reading:
    family: str
    limit: float
    """Requests per ``window_s``."""
    window_s: float
    remaining: float | None
    reset_s: float | None

    @property
    def per_second(self) -> float:
        return self.limit / self.window_s


def lower(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    return {name.lower(): value.strip() for name, value in headers}


def _number(name: str, value: str) -> float:
    name = _SHOWN.get(name, name)
    try:
        number = float(value)
    except ValueError:
        raise GateError(f"header {name}: {value!r} does not parse as a number") from None
    if not math.isfinite(number) or number < 0:
        raise GateError(f"header {name}: {value!r} is not a non-negative number")
    return number


def seconds(name: str, value: str) -> float:
    """Seconds from ``30``, ``1.5``, ``1s``, ``6m0s``, ``20ms``."""
    text, name = value.strip(), _SHOWN.get(name, name)
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    match = _GO_DURATION.match(text)
    if not text or match is None or not any(match.groups()):
        raise GateError(f"header {name}: {value!r} does not parse as a duration")
    h, m, s, ms = (float(g) if g else 0.0 for g in match.groups())
    return h * 3600 + m * 60 + s + ms / 1000


def _optional(h: dict[str, str], name: str, parse: str) -> float | None:
    if name not in h:
        return None
    return seconds(name, h[name]) if parse == "seconds" else _number(name, h[name])


def _params(name: str, value: str) -> dict[str, str]:
    found = {k.lower(): v for k, _, v in _PARAM.findall(value)}
    if not found:
        raise GateError(f"header {name}: {value!r} does not parse as a structured field")
    return found


def _ietf(h: dict[str, str], window_s: float) -> Reading | None:
    policy, state = h.get("ratelimit-policy"), h.get("ratelimit")
    if policy is None and state is None:
        return None
    first_policy = (policy or "").split(",")[0]
    limit, window = None, window_s
    if first_policy:
        bare = re.match(r"^\s*(\d+(?:\.\d+)?)\s*(;|$)", first_policy)
        params = _params("RateLimit-Policy", first_policy) if not bare else \
            {k.lower(): v for k, _, v in _PARAM.findall(first_policy)}
        raw = bare.group(1) if bare else params.get("q")
        if raw is None:
            raise GateError(f"header RateLimit-Policy: {policy!r} has no quota (q=)")
        limit = _number("RateLimit-Policy", raw)
        if "w" in params:
            window = _number("RateLimit-Policy", params["w"]) or window_s
    values = _params("RateLimit", state) if state else {}
    if limit is None and "limit" in values:
        limit = _number("RateLimit", values["limit"])
    if limit is None:
        raise GateError(f"header RateLimit: {state!r} declares no limit and no "
                        "RateLimit-Policy came with it")
    remaining = values.get("r", values.get("remaining"))
    reset = values.get("t", values.get("reset"))
    return Reading("RateLimit-Policy", limit, window,
                   None if remaining is None else _number("RateLimit", remaining),
                   None if reset is None else seconds("RateLimit", reset))


def readings(headers: Iterable[tuple[str, str]], window_s: float = 1.0) -> list[Reading]:
    """Every family present in one answer's headers (``window_s``: the window of the
    families that do not say theirs)."""
    h = lower(headers)
    found = []
    for family, limit, remaining, reset in (
            ("X-RateLimit", "x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"),
            ("x-ratelimit-*-requests", "x-ratelimit-limit-requests",
             "x-ratelimit-remaining-requests", "x-ratelimit-reset-requests")):
        if limit in h:
            found.append(Reading(family, _number(limit, h[limit]), window_s,
                                 _optional(h, remaining, "number"),
                                 _optional(h, reset, "seconds")))
    ietf = _ietf(h, window_s)
    if ietf is not None:
        found.append(ietf)
    return found


def retry_after(value: str | None) -> float | None:
    """``Retry-After`` in seconds (delta-seconds; an HTTP date counts from now)."""
    if value is None:
        return None
    if re.fullmatch(r"\d+", value.strip()):
        return float(value)
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        raise GateError(f"header Retry-After: {value!r} is neither seconds nor an HTTP "
                        "date") from None
    from datetime import UTC, datetime

    return (when - datetime.now(UTC)).total_seconds()
