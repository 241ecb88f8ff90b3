"""The evaluation instant from the command line: RFC 3339 or Unix seconds, always UTC."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from gacheck.core.errors import UsageError

_UNIX = re.compile(r"^\d+(\.\d+)?$")


def parse_instant(text: str) -> datetime:
    """``2026-11-25T12:00:00Z``, ``2026-11-25T13:00:00+01:00`` or ``1795608000``."""
    text = text.strip()
    if _UNIX.match(text):
        try:
            return datetime.fromtimestamp(float(text), UTC).replace(microsecond=0)
        except (OverflowError, OSError, ValueError):
            raise UsageError(f"--at: {text} is out of range as Unix seconds") from None
    try:
        instant = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        raise UsageError(
            f"--at: expected RFC 3339 like 2026-11-25T12:00:00Z or Unix seconds, got {text!r}"
        ) from None
    if instant.tzinfo is None:
        raise UsageError(f"--at: {text!r} has no time zone; add Z for UTC or an offset like +01:00")
    return instant.astimezone(UTC).replace(microsecond=0)


CLOCK_SKEW_S = 300.0
"""How far ahead of this machine's clock ``--at`` may lie (the server's clock may be ahead)."""


def refuse_future(at: datetime, current: datetime | None = None) -> datetime:
    """``at``, unless it lies in the future: nothing has been measured there yet, and an
    evaluation of it would read as "nothing happened"."""
    current = current or now()
    if (at - current).total_seconds() > CLOCK_SKEW_S:
        raise UsageError(f"--at: {at.isoformat().replace('+00:00', 'Z')} is in the future (now "
                         f"{current.isoformat().replace('+00:00', 'Z')}); nothing is measured "
                         "there yet")
    return at


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)
