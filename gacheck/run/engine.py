"""Runs the gates of a config concurrently and turns what they measured into results.

Each gate runs in a daemon thread with its own time limit. A gate that raises, times out or
returns nonsense becomes that gate's ``error``; the run itself always completes. A gate that
times out is cancelled (``gacheck.core.deadline``): its subprocesses are killed, and it is given a
short grace to clean up (temporary worktrees) before the run returns.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import queue
import threading
import time
import traceback
from collections.abc import Collection
from pathlib import Path
from typing import Any

from gacheck.config.model import GateSpec
from gacheck.context import Context
from gacheck.core import deadline
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


def _grace(cancelled: list[threading.Thread]) -> None:
    """Wait a little for cancelled gates: their subprocesses are being killed and their
    temporary files removed; a gate stuck in pure Python is left behind after the grace."""
    end = time.monotonic() + CLEANUP_GRACE_S
    for thread in cancelled:
        thread.join(max(0.0, end - time.monotonic()))
        if thread.is_alive():
            log.debug("gate thread %s still running after the grace", thread.name)


def run_gates(ctx: Context, selected: Collection[str] | None = None) -> list[GateResult]:
    """Results for every gate of the config, in config order; unselected gates are skipped."""
    done: queue.Queue[tuple[str, GateResult]] = queue.Queue()
    gates = ctx.config.gates
    to_run = [g for g in gates if selected is None or g.id in selected]
    started: dict[str, float] = {}
    limits: dict[str, deadline.Deadline] = {}
    threads: dict[str, threading.Thread] = {}

    def work(gate: GateSpec) -> None:
        limit = limits[gate.id]
        with deadline.bound(limit):
            outcome = measure(gate, dataclasses.replace(ctx, deadline=limit))
        done.put((gate.id, to_result(gate, outcome, time.monotonic() - started[gate.id], ctx)))

    for gate in to_run:
        started[gate.id] = time.monotonic()
        limits[gate.id] = deadline.Deadline(started[gate.id] + gate.timeout)
        threads[gate.id] = threading.Thread(
            target=work, args=(gate,), name=f"gate-{gate.id}", daemon=True
        )
        threads[gate.id].start()

    results: dict[str, GateResult] = {}
    deadlines = {g.id: started[g.id] + g.timeout for g in to_run}
    while len(results) < len(to_run):
        pending = [gid for gid in deadlines if gid not in results]
        wait = max(0.0, min(deadlines[gid] for gid in pending) - time.monotonic())
        try:
            gate_id, result = done.get(timeout=min(wait, 0.5) + 0.01)
            results.setdefault(gate_id, result)
        except queue.Empty:
            pass
        now = time.monotonic()
        for gate in to_run:
            if gate.id not in results and now >= deadlines[gate.id]:
                timed_out = Measurement(
                    value=None,
                    message=f"did not finish within its timeout of {gate.timeout:g}s",
                    status=Status.ERROR,
                )
                results[gate.id] = to_result(gate, timed_out, now - started[gate.id], ctx)
                limits[gate.id].cancel()
    _grace([t for gid, t in threads.items() if limits[gid].cancelled])
    return [
        results[g.id] if g.id in results else skipped(g, "not selected (--only/--skip)")
        for g in gates
    ]
