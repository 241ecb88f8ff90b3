"""Monitoring blind time: the stretches of a window in which Prometheus saw nothing.

A gate that reads history from Prometheus can only vouch for the time Prometheus was watching.
While Prometheus is down nothing at all is stored (``up`` included), and while its rule
evaluation stalls no alert can fire. An empty answer from such a stretch means "not seen",
never "did not happen".

The coverage query (``gacheck.sli.coverage``) gives, per *signal*, the grid
instants at which it was present: ``scrapes`` (a scrape sample in the step before the instant)
and, where Prometheus monitors itself, ``rule evaluations`` (a rule group evaluated recently).
An instant is blind when the scrape signal is missing, or when the rule signal is missing
although it exists elsewhere in the window. Consecutive blind instants form a *stretch*; each
instant stands for the step before it, so a stretch runs from one step before its first blind
instant (never before the window's start) to its last. A window reaching before the first or
after the last sample is blind there as well: that is simply where the signals are missing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from gacheck.core.units import format_duration

SCRAPES = "scrapes"
RULES = "rule evaluations"


@dataclass(frozen=True)
class Stretch:
    start: float
    end: float
    missing: tuple[str, ...]
    """The signals that were missing in it (``scrapes``, ``rule evaluations``)."""

    @property
    def duration_s(self) -> float:
        return self.end - self.start

    def describe(self) -> str:
        return (f"{_stamp(self.start)}–{_stamp(self.end)} ({format_duration(self.duration_s)}, "
                f"no {' and no '.join(self.missing)})")

    def details(self) -> dict[str, Any]:
        return {"start": _stamp(self.start), "end": _stamp(self.end),
                "duration_s": self.duration_s, "duration": format_duration(self.duration_s),
                "missing": list(self.missing)}


@dataclass(frozen=True)
class BlindReport:
    """Where monitoring was blind in a window, and which signals that was judged from."""

    start: float
    end: float
    step_s: float
    stretches: tuple[Stretch, ...]
    judged: tuple[str, ...]
    """The signals the judgement rests on (a rule signal absent from the whole window is not)."""

    @property
    def blind_s(self) -> float:
        return sum(s.duration_s for s in self.stretches)

    def longer_than(self, limit_s: float) -> list[Stretch]:
        return [s for s in self.stretches if s.duration_s > limit_s]

    def details(self, shown: int = 20) -> dict[str, Any]:
        longest = sorted(self.stretches, key=lambda s: -s.duration_s)[:shown]
        return {
            "signals": list(self.judged), "step_s": self.step_s,
            "blind_s": self.blind_s, "blind": format_duration(self.blind_s),
            "stretches": [s.details() for s in sorted(longest, key=lambda s: s.start)],
            "stretch_count": len(self.stretches),
        }


def blind_stretches(start: float, step_s: float, count: int,
                    present: Mapping[str, Sequence[bool]]) -> BlindReport:
    """The blind stretches of the grid ``start + i * step_s`` (``i < count``).

    ``present`` maps a signal to whether it was present at each instant. ``scrapes`` is always
    judged when given; any other signal only when present somewhere in the window.
    """
    judged = tuple(name for name, flags in present.items()
                   if name == SCRAPES or any(flags))
    stretches: list[Stretch] = []
    run_from: int | None = None
    run_missing: set[str] = set()

    def close(last: int) -> None:
        assert run_from is not None
        begin = max(start, start + (run_from - 1) * step_s)
        stretches.append(Stretch(begin, start + last * step_s,
                                 tuple(n for n in judged if n in run_missing)))

    for i in range(count):
        missing = {name for name in judged if not present[name][i]}
        if missing:
            if run_from is None:
                run_from, run_missing = i, set()
            run_missing |= missing
        elif run_from is not None:
            close(i - 1)
            run_from = None
    if run_from is not None:
        close(count - 1)
    kept = tuple(s for s in stretches if s.duration_s > 0)
    end = start + (count - 1) * step_s
    return BlindReport(start, end, step_s, kept, judged)


def _stamp(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat().replace("+00:00", "Z")
