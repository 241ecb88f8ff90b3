"""Runs the gates of a config concurrently and turns what they measured into results.

Gates run on a bounded pool of daemon threads (as many as there are gates, at most
``[settings] max_concurrency``), in config order, each within its own time limit counted from when
it starts running. A gate that raises, times out or returns nonsense becomes that gate's
``error``; the run itself always completes. A gate that times out is cancelled
(``gacheck.core.deadline``): its subprocesses are killed, its thread is replaced in the pool (so a
stuck gate never holds a slot), and it is given a short grace to clean up (temporary
worktrees) before the run returns.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import queue
import threading
import traceback
from collections import deque
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gacheck.config.model import GateSpec
from gacheck.context import Context
from gacheck.core import deadline
from gacheck.core.deadline import monotonic
from gacheck.core.errors import GateError, NoDataError
from gacheck.core.measurement import Measurement
from gacheck.core.models import Evidence, GateResult, Status
from gacheck.core.plausibility import impossible_value, partial_message, unallowed_warnings
from gacheck.core.verdict import judge, worse
from gacheck.gates import KINDS

log = logging.getLogger(__name__)

_FINAL = frozenset({Status.ERROR, Status.NO_DATA})
CLEANUP_GRACE_S = 15.0
"""How long the run waits, after the last result, for cancelled gates to clean up."""


def measure(gate: GateSpec, ctx: Context) -> Measurement:
    """Run one gate's kind, mapping its expected errors to statuses."""
    if gate.expansion_problem is not None or gate.for_each is not None:
        status, reason = gate.expansion_problem or (
            "error", "for_each: the template was not expanded before the evaluation")
        return Measurement(value=None, message=reason, status=Status(status))
    try:
        return KINDS[gate.kind].evaluate(gate, ctx.for_gate(gate))
    except GateError as exc:
        status = Status.NO_DATA if isinstance(exc, NoDataError) else Status.ERROR
        evidence = exc.evidence if isinstance(exc.evidence, Evidence) else Evidence()
        return Measurement(value=None, message=str(exc), evidence=evidence, status=status)
    except Exception as exc:  # a bug in a kind must not take the other gates down
        log.debug("gate %s raised:\n%s", gate.id, traceback.format_exc())
        return Measurement(
            value=None,
            message=f"internal error in gate kind {gate.kind}: {type(exc).__name__}: {exc}",
            status=Status.ERROR,
        )


def to_result(gate: GateSpec, outcome: Measurement, duration_s: float, ctx: Context) -> GateResult:
    """Judge a measurement against the gate's threshold; redact secrets from all of it."""
    status, message, value = outcome.status, outcome.message, outcome.value
    if value is not None and math.isnan(value):
        status, value = Status.NO_DATA, None
        message = message or "the measured value is NaN"
    kind = KINDS.get(gate.kind)
    non_negative = kind.non_negative if kind is not None else False
    impossible = (impossible_value(value, gate.unit, non_negative)
                  if status not in _FINAL else None)
    if impossible is not None:
        status, value, message = Status.ERROR, None, f"{impossible}; {message}".rstrip("; ")
    if status not in _FINAL:
        if value is None:
            status = Status.ERROR
            message = message or "the gate produced no value"
        else:
            if not (outcome.judged and status is not None):
                judged, comparison = judge(value, gate.threshold)
                status = judged if status is None else worse(judged, status)
                message = f"{comparison}; {message}" if message else comparison
            if math.isinf(value):  # JSON has no infinity: the message keeps it, the value is null
                value = None
        warnings = unallowed_warnings(outcome.evidence, ctx.config.prometheus.allowed_warnings)
        if warnings and status is not Status.FAIL:  # a partial answer cannot pass; a fail stays
            status, message = Status.ERROR, f"{partial_message(warnings)}; {message}"
        elif warnings:
            message = f"{message}; {partial_message(warnings)}"
    elif status is Status.NO_DATA:  # "no data" in a partial answer: the data may be in the part
        warnings = unallowed_warnings(outcome.evidence, ctx.config.prometheus.allowed_warnings)
        if warnings:  # that failed, so nothing can be told
            status, message = Status.ERROR, f"{partial_message(warnings)}; {message}"
    assert status is not None
    data = {
        "id": gate.id,
        "kind": gate.kind,
        "title": gate.title,
        "blocking": gate.blocking,
        "weight": gate.weight,
        "status": status,
        "value": value,
        "threshold": gate.threshold,
        "unit": gate.unit,
        "message": ctx.secrets.redact(message),
        # field names stay: the audit's own redaction (evaluation.py) also covers free-form keys
        "evidence": ctx.secrets.redact_data(_portable(outcome.evidence, ctx), keys=False),
        "duration_s": round(duration_s, 3),
    }
    return GateResult.model_validate(data)


def _portable(evidence: Evidence, ctx: Context) -> dict[str, Any]:
    """Evidence with working directories inside the repository made relative to it, so that
    audits committed from different machines differ only where the release does."""
    data = evidence.model_dump(mode="json")
    root = ctx.repo.resolve()
    for command in data["commands"]:
        cwd = command.get("cwd")
        if cwd and Path(cwd).is_absolute():
            try:
                command["cwd"] = str(Path(cwd).resolve().relative_to(root))
            except ValueError:
                pass  # outside the repository (a temporary worktree): kept as it was
    return data


def skipped(gate: GateSpec, why: str) -> GateResult:
    return GateResult(
        id=gate.id,
        kind=gate.kind,
        title=gate.title,
        blocking=gate.blocking,
        weight=gate.weight,
        status=Status.SKIPPED,
        threshold=gate.threshold,
        unit=gate.unit,
        message=why,
    )


def _failed(gate: GateSpec, message: str, duration_s: float) -> GateResult:
    """An error result built without the kind's evidence (when ``to_result`` itself broke)."""
    return GateResult(id=gate.id, kind=gate.kind, title=gate.title, blocking=gate.blocking,
                      weight=gate.weight, status=Status.ERROR, threshold=gate.threshold,
                      unit=gate.unit, message=message, duration_s=round(duration_s, 3))


def pool_size(ctx: Context, count: int) -> int:
    """Threads running gates: one per gate, at most ``[settings] max_concurrency``."""
    return max(1, min(count, ctx.config.settings.max_concurrency))


@dataclass
class _Worker:
    thread: threading.Thread | None = None
    retired: bool = False
    """Left behind with a gate past its time limit: it ends after that gate."""


@dataclass
class _Running:
    gate: GateSpec
    started: float
    limit: deadline.Deadline
    worker: _Worker


class _Pool:
    """The gates of one evaluation on a bounded pool of threads, in config order.

    A gate's time limit starts when a thread takes it up. A gate past its limit is given its
    error result at once and cancelled; the thread running it is retired (it ends once the
    gate returns) and replaced, so a stuck gate never holds a slot of the pool.
    """

    def __init__(self, ctx: Context, gates: list[GateSpec]) -> None:
        self.ctx = ctx
        self.waiting: deque[GateSpec] = deque(gates)
        self.size = pool_size(ctx, len(gates))
        self.lock = threading.Lock()
        self.done: queue.SimpleQueue[tuple[str, GateResult]] = queue.SimpleQueue()
        self.running: dict[str, _Running] = {}
        self.left_behind: list[threading.Thread] = []
        self.started = 0

    def _spawn(self) -> None:
        """A new worker (called with the lock held)."""
        worker = _Worker()
        self.started += 1
        worker.thread = threading.Thread(target=self._work, args=(worker,), daemon=True,
                                         name=f"gacheck-gate-{self.started}")
        worker.thread.start()

    def _work(self, me: _Worker) -> None:
        while True:
            with self.lock:
                if me.retired or not self.waiting:
                    return
                gate = self.waiting.popleft()
                started = monotonic()
                limit = deadline.Deadline(started + gate.timeout)
                self.running[gate.id] = _Running(gate, started, limit, me)
            result = self._measure(gate, limit, started)
            with self.lock:
                if self.running.pop(gate.id, None) is not None:  # else: timed out already
                    self.done.put((gate.id, result))
            del result

    def _measure(self, gate: GateSpec, limit: deadline.Deadline, started: float) -> GateResult:
        try:
            with deadline.bound(limit):
                outcome = measure(gate, dataclasses.replace(self.ctx, deadline=limit))
            return to_result(gate, outcome, monotonic() - started, self.ctx)
        except Exception as exc:  # measure() keeps a kind's errors; this is the engine's own
            log.debug("gate %s: building its result raised:\n%s", gate.id,
                      traceback.format_exc())
            return _failed(gate, f"internal error while judging the gate: {type(exc).__name__}",
                           monotonic() - started)

    def _expire(self, now: float) -> list[_Running]:
        """Running gates past their limit: cancelled, their workers retired and replaced."""
        with self.lock:
            expired = [r for r in self.running.values() if now >= r.limit.at]
            for entry in expired:
                del self.running[entry.gate.id]
                entry.limit.cancel()
                entry.worker.retired = True
                if entry.worker.thread is not None:
                    self.left_behind.append(entry.worker.thread)
                if self.waiting:
                    self._spawn()
        return expired

    def run(self) -> dict[str, GateResult]:
        results: dict[str, GateResult] = {}
        total = len(self.waiting)
        with self.lock:
            for _ in range(self.size):
                self._spawn()
        while len(results) < total:
            with self.lock:
                first = min((r.limit.at for r in self.running.values()), default=math.inf)
            wait = max(0.0, first - monotonic())
            try:
                gate_id, result = self.done.get(timeout=min(wait, 0.5) + 0.01)
                results.setdefault(gate_id, result)
            except queue.Empty:
                pass
            now = monotonic()
            for entry in self._expire(now):
                gate = entry.gate
                timed_out = Measurement(
                    value=None,
                    message=f"did not finish within its timeout of {gate.timeout:g}s",
                    status=Status.ERROR,
                )
                results[gate.id] = to_result(gate, timed_out, now - entry.started, self.ctx)
        _grace(self.left_behind)
        return results


def _grace(cancelled: list[threading.Thread]) -> None:
    """Wait a little for cancelled gates: their subprocesses are being killed and their
    temporary files removed; a gate stuck in pure Python is left behind after the grace."""
    end = monotonic() + CLEANUP_GRACE_S
    for thread in cancelled:
        thread.join(max(0.0, end - monotonic()))
        if thread.is_alive():
            log.debug("gate thread %s still running after the grace", thread.name)


def run_gates(ctx: Context, selected: Collection[str] | None = None) -> list[GateResult]:
    """Results for every gate of the config, in config order; unselected gates are skipped."""
    gates = ctx.config.gates
    to_run = [g for g in gates if selected is None or g.id in selected]
    results = _Pool(ctx, to_run).run() if to_run else {}
    return [
        results[g.id] if g.id in results else skipped(g, "not selected (--only/--skip)")
        for g in gates
    ]
