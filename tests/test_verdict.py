"""The verdict matrix: every status, blocking or not, waived or not."""

from __future__ import annotations

from datetime import date

import pytest

from gacheck.config.model import Waiver
from gacheck.core.models import GateResult, Status, Threshold, Verdict
from gacheck.core.units import Unit
from gacheck.core.verdict import decide, judge, score
from gacheck.run.waivers import apply_waivers

TODAY = date(2026, 11, 25)


def result(gate_id: str, status: Status, blocking: bool = True, weight: float = 1) -> GateResult:
    return GateResult(
        id=gate_id, kind="command", title=gate_id, blocking=blocking, weight=weight,
        status=status, threshold=Threshold(max=0, unit=Unit.COUNT), unit=Unit.COUNT, message="m",
    )


# status of one gate beside a passing one -> verdict, for a blocking and a non-blocking gate
MATRIX = {
    Status.PASS: (Verdict.PASS, Verdict.PASS),
    Status.WARN: (Verdict.WARN, Verdict.WARN),
    Status.FAIL: (Verdict.FAIL, Verdict.WARN),
    Status.ERROR: (Verdict.INCOMPLETE, Verdict.WARN),
    Status.NO_DATA: (Verdict.INCOMPLETE, Verdict.WARN),
    Status.SKIPPED: (Verdict.INCOMPLETE, Verdict.PASS),  # a deselected blocking gate: no pass
    Status.WAIVED: (Verdict.PASS, Verdict.PASS),
}


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("blocking", [True, False])
def test_verdict_matrix(status: Status, blocking: bool) -> None:
    expected = MATRIX[status][0 if blocking else 1]
    verdict, reasons = decide([result("ok", Status.PASS), result("g", status, blocking)])
    assert verdict is expected
    assert bool(reasons) == (expected is not Verdict.PASS)


def test_a_deselected_blocking_gate_makes_the_verdict_incomplete_and_is_named() -> None:
    verdict, reasons = decide([result("ok", Status.PASS), result("soak", Status.SKIPPED)])
    assert verdict is Verdict.INCOMPLETE
    assert any("soak" in r and "--partial" in r for r in reasons)


@pytest.mark.parametrize(
    ("other", "expected"),
    [(Status.PASS, Verdict.PASS), (Status.WARN, Verdict.WARN), (Status.FAIL, Verdict.FAIL),
     (Status.ERROR, Verdict.INCOMPLETE)],
)
def test_a_partial_verdict_covers_the_selection(other: Status, expected: Verdict) -> None:
    results = [result("ok", Status.PASS), result("g", other), result("soak", Status.SKIPPED)]
    assert decide(results, partial=True)[0] is expected


def test_a_fail_beats_a_deselection() -> None:
    verdict, _ = decide([result("bad", Status.FAIL), result("soak", Status.SKIPPED)])
    assert verdict is Verdict.FAIL


@pytest.mark.parametrize("status", [s for s in Status if s is not Status.SKIPPED])
@pytest.mark.parametrize("blocking", [True, False])
def test_an_active_waiver_makes_any_measured_status_harmless(status: Status, blocking: bool) -> None:
    waiver = Waiver(gate="g", reason="accepted risk", owner="rel-eng", expires=TODAY)
    results, records, notes = apply_waivers(
        [result("ok", Status.PASS), result("g", status, blocking)], [waiver], TODAY
    )
    assert results[1].status is Status.WAIVED
    assert results[1].measured_status is status
    assert records[0].active and not notes
    assert decide(results)[0] is Verdict.PASS


@pytest.mark.parametrize("status", [Status.FAIL, Status.ERROR])
def test_an_expired_waiver_is_ignored_and_said_so(status: Status) -> None:
    waiver = Waiver(gate="g", reason="r", owner="alice", expires=date(2026, 11, 24))
    results, records, notes = apply_waivers([result("g", status)], [waiver], TODAY)
    assert results[0].status is status
    assert not records[0].active
    assert notes == ["waiver for g (owner alice) expired on 2026-11-24; ignored"]
    assert decide(results)[0] in (Verdict.FAIL, Verdict.INCOMPLETE)


def test_a_waiver_keeps_the_measured_status_in_the_result() -> None:
    waiver = Waiver(gate="g", reason="known flake", owner="bob", expires=TODAY)
    [waived], _, _ = apply_waivers([result("g", Status.FAIL)], [waiver], TODAY)
    assert waived.measured_status is Status.FAIL
    assert "known flake" in waived.message and "bob" in waived.message


def test_fail_beats_incomplete_and_incomplete_beats_warn() -> None:
    assert decide([result("a", Status.FAIL), result("b", Status.ERROR)])[0] is Verdict.FAIL
    assert decide([result("a", Status.WARN), result("b", Status.NO_DATA)])[0] is Verdict.INCOMPLETE


def test_nothing_evaluated_is_never_a_pass() -> None:
    assert decide([result("a", Status.SKIPPED)])[0] is Verdict.INCOMPLETE
    assert decide([])[0] is Verdict.INCOMPLETE


def test_score_weights_pass_warn_and_the_rest() -> None:
    results = [
        result("a", Status.PASS, weight=2),
        result("b", Status.WARN, weight=1),
        result("c", Status.ERROR, weight=1),
        result("d", Status.SKIPPED, weight=5),
        result("e", Status.WAIVED, weight=5),
    ]
    assert score(results) == pytest.approx(100 * (2 + 0.5) / 4, abs=0.05)


def test_min_score_fails_an_otherwise_warning_verdict() -> None:
    results = [result("a", Status.PASS), result("b", Status.WARN), result("c", Status.WARN)]
    assert decide(results, min_score=60)[0] is Verdict.WARN
    verdict, reasons = decide(results, min_score=70)
    assert verdict is Verdict.FAIL
    assert "score 66.7 is below min_score 70" in reasons


@pytest.mark.parametrize(
    ("value", "threshold", "status"),
    [
        (120, Threshold(max=120), Status.PASS),  # max is inclusive
        (121, Threshold(max=120), Status.FAIL),
        (110, Threshold(max=120, warn=100), Status.WARN),
        (100, Threshold(max=120, warn=100), Status.PASS),
        (48 * 3600, Threshold(min=48 * 3600, unit=Unit.SECONDS), Status.PASS),
        (47 * 3600, Threshold(min=48 * 3600, unit=Unit.SECONDS), Status.FAIL),
        (50 * 3600, Threshold(min=48 * 3600, warn=72 * 3600, unit=Unit.SECONDS), Status.WARN),
    ],
)
def test_judging_a_value(value: float, threshold: Threshold, status: Status) -> None:
    assert judge(value, threshold)[0] is status
