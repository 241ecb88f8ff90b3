"""Retries stop at the gate's time limit: a Prometheus that answers 503 slowly gets no request
after the gate's deadline (issue 23, item 5a). The engine gives up on the gate at its limit;
the retries used to go on behind it (requests at 64 s for a 60 s gate)."""

from __future__ import annotations

import time

from gacheck.core.models import Status
from tests.faults.fault_server import Fault, FaultServer
from tests.faults.fault_setup import PROMETHEUS_GATE

GATE_TIMEOUT_S = 5.0
EPSILON_S = 0.5
SLOW_503 = (PROMETHEUS_GATE.replace('timeout = "20s"', f'timeout = "{GATE_TIMEOUT_S:g}s"')
            .replace("retries = 0", "retries = 8"))


def test_no_retry_is_sent_after_the_gates_deadline(run_gate, server: FaultServer) -> None:
    server.fault = Fault("status_503", delay_s=1.0)
    started = time.monotonic()
    result = run_gate(SLOW_503)
    # what the retries behind the gate would send meanwhile: each 503 takes 1 s and the
    # back-off grows 0, 0.5, 1, 2 s, so the first retry past a 5 s gate goes out at ~7.5 s
    time.sleep(4.0)

    assert result.status is Status.ERROR
    late = [round(t - started, 2) for t in server.fault.stamps
            if t > started + GATE_TIMEOUT_S + EPSILON_S]
    assert not late, f"requests {late} s after the start of a {GATE_TIMEOUT_S:g}s gate"
    assert len(server.fault.stamps) >= 3  # it did retry within its time


def test_retries_within_the_deadline_still_recover(run_gate, server: FaultServer) -> None:
    """Control: a 503 that clears up is retried and the gate passes."""
    answers = iter(["status_503", "status_503"])

    class Flaky(Fault):
        @property  # type: ignore[override]
        def name(self) -> str:
            return next(answers, "ok")

        @name.setter
        def name(self, _: str) -> None:
            pass

    server.fault = Flaky()
    result = run_gate(SLOW_503)
    assert result.status is Status.PASS, result.message


BUDGET = (PROMETHEUS_GATE.replace("retries = 0", 'retries = 0\nchunk = "5m"\n'
                                  "max_requests_per_gate = 5"))


def test_a_gate_past_its_request_budget_is_an_error_naming_it(run_gate,
                                                              server: FaultServer) -> None:
    """1h in pieces of 5m is 13 range requests; the gate may send 5 (the probe is one)."""
    server.fault = Fault("ok")
    result = run_gate(BUDGET)

    assert result.status is Status.ERROR
    assert ("the gate's request budget is spent: 5 requests "
            "([prometheus].max_requests_per_gate)") in result.message
    assert len(server.fault.stamps) <= 5


def test_the_evaluation_budget_is_separate_and_a_generous_one_passes(
    run_gate, server: FaultServer
) -> None:
    server.fault = Fault("ok")
    assert run_gate(BUDGET.replace("max_requests_per_gate = 5", "max_requests = 100")
                    ).status is Status.PASS
    result = run_gate(BUDGET.replace("max_requests_per_gate = 5", "max_requests = 4"))
    assert result.status is Status.ERROR
    assert "the evaluation's request budget is spent: 4 requests ([prometheus].max_requests)" \
        in result.message
