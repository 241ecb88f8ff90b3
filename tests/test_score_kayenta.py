"""``[settings] score``: weighted (default) and kayenta, side by side on the same results."""

from __future__ import annotations

from gacheck.core.models import GateResult, Status, Threshold, Verdict
from gacheck.core.units import Unit
from gacheck.core.verdict import decide, score


def gate(gate_id: str, status: Status, blocking: bool = True, weight: float = 1.0) -> GateResult:
    return GateResult(id=gate_id, kind="command", title=gate_id, blocking=blocking,
                      weight=weight, status=status, threshold=Threshold(max=0),
                      unit=Unit.COUNT, message="")


def test_weighted_is_the_default_and_unchanged() -> None:
    results = [gate("a", Status.PASS), gate("b", Status.WARN), gate("c", Status.NO_DATA),
               gate("d", Status.SKIPPED)]
    assert score(results) == score(results, "weighted") == 50.0


def test_kayenta_leaves_gates_without_data_out_of_the_share() -> None:
    results = [gate("a", Status.PASS), gate("b", Status.WARN), gate("c", Status.PASS),
               gate("d", Status.NO_DATA, blocking=False)]
    assert score(results, "weighted") == 62.5
    assert score(results, "kayenta") == 83.3


def test_kayenta_forces_zero_when_a_blocking_gate_fails() -> None:
    results = [gate(str(i), Status.PASS) for i in range(9)] + [gate("bad", Status.FAIL)]
    assert score(results, "weighted") == 90.0
    assert score(results, "kayenta") == 0.0
    verdict, reasons = decide(results, None, method="kayenta")
    assert verdict is Verdict.FAIL
    assert any("forced to 0 (kayenta): blocking gates failed: bad" in r for r in reasons)


def test_a_failing_non_blocking_gate_does_not_force_zero() -> None:
    results = [gate("a", Status.PASS), gate("soft", Status.FAIL, blocking=False)]
    assert score(results, "kayenta") == 50.0


def test_kayenta_forces_zero_when_half_the_gates_have_no_data() -> None:
    half = [gate("a", Status.PASS), gate("b", Status.ERROR, blocking=False),
            gate("c", Status.PASS), gate("d", Status.NO_DATA, blocking=False)]
    assert score(half, "kayenta") == 0.0
    verdict, reasons = decide(half, 50, method="kayenta")
    assert verdict is Verdict.FAIL  # below min_score
    assert any("2 of 4 gates have no data" in r for r in reasons)
    # control: one in four without data keeps the score
    quarter = [*half[:3], gate("d", Status.PASS)]
    assert score(quarter, "kayenta") == 100.0


def test_the_setting_is_read_from_the_config(tmp_path) -> None:
    from gacheck.core.errors import ConfigError
    from gacheck.run.config_binding import load_config

    path = tmp_path / "gates.toml"
    body = "[[gates]]\nid = 'a'\nkind = 'command'\ntitle = 'A'\ncommand = ['true']\n"
    path.write_text("[settings]\nscore = 'kayenta'\n" + body)
    assert load_config(path).settings.score == "kayenta"
    path.write_text("[settings]\nscore = 'median'\n" + body)
    try:
        load_config(path)
    except ConfigError as exc:
        assert "settings.score" in str(exc)
    else:
        raise AssertionError("an unknown score method must be a config error")
