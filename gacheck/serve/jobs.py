"""Evaluations in the background, shared by callers that ask the same question.

A question is a ``Key``: the config, the selection and the instant rounded down to the step.
Its evaluation runs once on a bounded pool; every caller with the same key waits on the same
future, and the outcome is kept for ``cache_ttl_s`` after it finished, so fifty callers in the
same minute cause one evaluation.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from gacheck.core.deadline import monotonic
from gacheck.core.errors import GacheckError
from gacheck.core.models import Audit
from gacheck.serve.metrics import ServeMetrics


@dataclass(frozen=True)
class Key:
    config: Path
    only: tuple[str, ...]
    at: datetime


@dataclass(frozen=True)
class Outcome:
    """One evaluation's audit and where it was written (relative to the repository)."""

    audit: Audit
    audit_path: str | None


Evaluate = Callable[[Key], Outcome]


class Busy(GacheckError):
    """Too many different evaluations queued: the caller should come back later."""


@dataclass
class _Entry:
    future: Future[Outcome]
    clock_instant: bool
    finished: float | None = None
    started: float = field(default_factory=time.monotonic)


class Evaluations:
    """The pool, the entries by key, and their expiry."""

    def __init__(self, evaluate: Evaluate, metrics: ServeMetrics, *, workers: int,
                 max_queued: int, keep_s: float) -> None:
        self._evaluate = evaluate
        self._metrics = metrics
        self._max_queued = max_queued
        self._keep_s = keep_s
        self._lock = threading.Lock()
        self._entries: dict[Key, _Entry] = {}
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="gacheck-eval")

    def submit(self, key: Key, clock_instant: bool) -> tuple[Future[Outcome], bool]:
        """The future of ``key``'s evaluation, and whether it was already there."""
        with self._lock:
            self._expire()
            entry = self._entries.get(key)
            if entry is not None:
                self._metrics.cache_hits.inc()
                return entry.future, True
            running = sum(1 for e in self._entries.values() if e.finished is None)
            if running >= self._max_queued:
                raise Busy(f"{running} evaluations are running or queued; ask again later")
            entry = _Entry(Future(), clock_instant)
            self._entries[key] = entry
        self._pool.submit(self._run, key, entry)
        return entry.future, False

    def latest(self, key: Key) -> Outcome | None:
        """The newest finished outcome for ``key``'s config and selection at the clock's
        instant, still kept: what a caller gets while the evaluation of this step runs."""
        with self._lock:
            done = [(k.at, e) for k, e in self._entries.items()
                    if k.config == key.config and k.only == key.only and e.clock_instant
                    and e.finished is not None and e.future.exception() is None]
        if not done:
            return None
        return max(done, key=lambda pair: pair[0])[1].future.result()

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _run(self, key: Key, entry: _Entry) -> None:
        started = monotonic()
        try:
            outcome = self._evaluate(key)
        except BaseException as exc:  # every caller of this key gets the reason
            self._metrics.evaluations.labels("error").inc()
            entry.future.set_exception(exc)
        else:
            self._metrics.evaluations.labels(outcome.audit.verdict.value).inc()
            entry.future.set_result(outcome)
        finally:
            self._metrics.duration.observe(monotonic() - started)
            with self._lock:
                entry.finished = monotonic()

    def _expire(self) -> None:
        limit = monotonic() - self._keep_s
        for key in [k for k, e in self._entries.items()
                    if e.finished is not None and e.finished < limit]:
            del self._entries[key]
