"""Instants for tests, relative to this machine's clock.

gacheck refuses an ``--at`` in the future, so a test that evaluates "at" some instant must
pick one that has already passed wherever and whenever the suite runs: never a fixed date.

    recent()                 # now, floored to the whole minute (UTC)
    recent(hours=1)          # a whole minute, an hour ago
    day(1)                   # yesterday (UTC), a ``date``
    on(day(2), "06:00")      # the day before yesterday at 06:00 UTC, a ``datetime``
    stamp(instant)           # "2026-11-25T06:00:00Z", as ``--at`` takes it and audits write it
    lab_end()                # now floored to the hour (never 00/06/12/18h): where the
                             # promlab histories end

A day and a time of day (``on(day(n), ...)`` with ``n >= 1``) is always in the past, so tests
that evaluate on consecutive days (folders named by date, "the same day, later") use those.
Values a module computes at import stay fixed for the whole run, even across midnight.
Where a test needs the clock itself to read a given date, it freezes it (freezegun).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta


def recent(*, days: float = 0, hours: float = 0, minutes: float = 0) -> datetime:
    """A whole-minute UTC instant: now floored to the minute, minus the given time."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    return now - timedelta(days=days, hours=hours, minutes=minutes)


def day(ago: int = 1) -> date:
    """The UTC date ``ago`` days before today; with ``ago >= 1`` it is over."""
    return datetime.now(UTC).date() - timedelta(days=ago)


def on(when: date, clock: str = "06:00") -> datetime:
    """``when`` at ``clock`` ("HH:MM" or "HH:MM:SS"), UTC."""
    return datetime.combine(when, time.fromisoformat(clock), tzinfo=UTC)


def stamp(instant: datetime) -> str:
    """RFC 3339 in UTC with a ``Z``, to the second: ``2026-11-25T06:00:00Z``."""
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


LAB_END_STEP = timedelta(hours=1)


def lab_end() -> datetime:
    """Now, floored to the whole hour (UTC): the instant the lab histories of a test run end
    at. The same for every run within the hour, so their generated TSDB blocks can be reused
    (``tests/prometheus/lab_cache.py``); always in the past, so ``--at`` it is accepted."""
    now = datetime.now(UTC)
    step = int(LAB_END_STEP.total_seconds())
    end = datetime.fromtimestamp(int(now.timestamp()) // step * step, UTC)
    # Never on a boundary of the default 6h cache chunk: a window ending there has two open
    # chunks (the one-instant last chunk, and the one before it, within the cache margin),
    # where the cache tests count one; ending an hour earlier keeps every hour's run alike.
    return end - LAB_END_STEP if end.hour % 6 == 0 else end
