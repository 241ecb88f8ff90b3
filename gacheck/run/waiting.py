"""``--wait-until``: evaluate again at an interval until the release is ready, or time runs out.

Like a deployment gate that re-samples until every check passes at the same time (for instance
a soak that needs a few more hours). Each attempt is a complete evaluation at its own instant;
the final audit is the last complete one, listing every attempt. Ctrl-C or SIGTERM ends the
wait: the evaluation in progress is abandoned and the last complete audit is what remains.
"""

from __future__ import annotations

import dataclasses
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gacheck.context import Context
from gacheck.core.deadline import monotonic
from gacheck.core.models import Audit, Status
from gacheck.core.units import plural

_FAILING = frozenset({Status.FAIL, Status.ERROR, Status.NO_DATA})


class WaitInterrupted(Exception):
    """SIGTERM (or Ctrl-C) arrived while waiting."""


@dataclass(frozen=True)
class WaitOutcome:
    audit: Audit | None  # None when interrupted before the first attempt completed
    interrupted: bool
    timed_out: bool


def attempt_record(audit: Audit) -> dict[str, Any]:
    return {
        "time": audit.evaluated_at.isoformat().replace("+00:00", "Z"),
        "verdict": audit.verdict.value,
        "score": audit.score,
        "failing_gates": sorted(g.id for g in audit.gates if g.status in _FAILING),
    }


@contextmanager
def sigterm_interrupts() -> Iterator[None]:
    """Turn SIGTERM into an exception in the main thread, as Ctrl-C already is."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: Any) -> None:
        raise WaitInterrupted()

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def wait_for_ready(
    ctx: Context,
    run_once: Callable[[Context], Audit],
    accepted: Callable[[Audit], bool],
    wait_s: float,
    interval_s: float,
    clock: Callable[[], datetime],
    sleep: Callable[[float], None] = time.sleep,
) -> WaitOutcome:
    """Evaluate at ``clock()`` every ``interval_s`` until ``accepted`` or ``wait_s`` has passed.

    Attempts start ``interval_s`` apart (measured from one start to the next); no attempt starts
    after the deadline.
    """
    deadline = monotonic() + wait_s
    attempts: list[dict[str, Any]] = []
    last: Audit | None = None
    interrupted = timed_out = False
    with sigterm_interrupts():
        try:
            while True:
                started = monotonic()
                # Each attempt gets its own instant and fresh shared objects (clients, probes).
                attempt_ctx = dataclasses.replace(
                    ctx, at=clock(), _shared={}, _lock=threading.Lock()
                )
                audit = run_once(attempt_ctx)
                attempts.append(attempt_record(audit))
                last = audit.model_copy(update={"attempts": list(attempts)})
                if accepted(audit):
                    break
                next_start = started + interval_s
                if next_start > deadline:
                    timed_out = True
                    break
                sleep(max(0.0, next_start - monotonic()))
        except (KeyboardInterrupt, WaitInterrupted):
            from gacheck.collectors.process import stop_all

            stop_all()  # the abandoned attempt's commands must not outlive us
            interrupted = True
    if last is not None:
        last = _with_wait_note(last, interrupted, timed_out, wait_s)
    return WaitOutcome(last, interrupted, timed_out)


def _with_wait_note(audit: Audit, interrupted: bool, timed_out: bool, wait_s: float) -> Audit:
    count = len(audit.attempts)
    if interrupted:
        note = f"wait interrupted after {plural(count, 'attempt')}; this is the last complete one"
    elif timed_out:
        note = f"still not ready after waiting {wait_s:g}s ({count} attempts)"
    else:
        note = f"ready after {plural(count, 'attempt')}"
    return audit.model_copy(update={"notes": [*audit.notes, note]})
