"""``error_budget`` on real Prometheus histories of a latency SLO (good: at most 25 ms).

The expected budgets are computed by hand from the scenarios' plans (``facts``): traffic is
flat (no diurnal shape), 0.2% of requests are slower than 25 ms except in the incident, leak or
degraded stretch, so the error ratio over the 72h period is a weighted mean of the shares.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gacheck.collectors.prometheus.client import PrometheusClient
from gacheck.collectors.prometheus.http import ConnectionSettings
from tests.prometheus.relative_helpers import evaluate_toml, only_gate

GOOD = 'lukhas_guardian_decision_duration_seconds_bucket{le="0.025"}'
TOTAL = "lukhas_guardian_decision_duration_seconds_count"
BUDGET = 0.01  # objective 99%


def budget_toml(extra: str = "", source: str = "") -> str:
    source = source or f"good = '{GOOD}'\ntotal = '{TOTAL}'"
    return (f"[[gates]]\nid = 'budget'\nkind = 'error_budget'\ntitle = 'latency SLO'\n"
            f"{source}\nobjective = '99%'\nperiod = '72h'\n{extra}\n")


def hand_computed_remaining(lab) -> float:
    return 1 - lab.scenario.facts["error_ratio_72h"] / BUDGET


def pairs(gate) -> dict[str, dict]:
    return {b["pair"]: b for b in gate.evidence.details["burn"]}


def test_a_fast_1h_incident_fails_on_fast_burn(promlab, tmp_path: Path) -> None:
    lab = promlab("budget_fast_burn")
    gate = only_gate(lab, tmp_path, budget_toml())
    assert gate.status.value == "fail", gate.message
    # the budget itself is not spent (~11% left): the fast burn is what fails it
    assert gate.value == pytest.approx(hand_computed_remaining(lab), abs=0.01)
    assert gate.value > 0
    fast, slow = pairs(gate)["1h/5m ≥ 14.4x"], pairs(gate)["6h/30m ≥ 6x"]
    [episode] = fast["fired"]
    incident = lab.scenario.facts["incident"]
    assert lab.ago(incident.start).isoformat()[:13] <= episode["start"][:13]
    assert episode["peak"] == pytest.approx(50, rel=0.05)
    assert slow["fired"]
    assert "fast burn 1h/5m ≥ 14.4x fired" in gate.message


def test_the_markdown_report_shows_the_budget_and_each_pair(promlab, tmp_path: Path) -> None:
    from gacheck.reports.markdown import render_markdown

    lab = promlab("budget_fast_burn")
    text = render_markdown(evaluate_toml(lab, tmp_path, budget_toml()))
    assert "- Objective 99% over 72h: error ratio 0.8" in text
    assert "| 1h/5m ≥ 14.4x | fast | 100.0% |" in text
    assert "over the whole 72h period" in text


def test_burn_rates_over_48h_at_15s_grow_the_step_under_the_point_limit(
    promlab, tmp_path: Path
) -> None:
    lab = promlab("budget_fast_burn")
    gate = only_gate(lab, tmp_path, budget_toml("step = '15s'"))
    assert gate.status.value == "fail"  # the incident is still seen at the coarser step
    window = gate.evidence.details["window"]
    assert (window["configured_step_s"], window["step_s"], window["points"]) == (15, 16, 10801)
    assert any("step grew from 15s to 16s" in note for note in gate.evidence.notes)


def test_a_slow_leak_warns(promlab, tmp_path: Path) -> None:
    lab = promlab("budget_slow_leak")
    gate = only_gate(lab, tmp_path, budget_toml())
    assert gate.status.value == "warn", gate.message
    assert gate.value == pytest.approx(hand_computed_remaining(lab), abs=0.01)
    assert not pairs(gate)["1h/5m ≥ 14.4x"]["fired"]
    assert pairs(gate)["6h/30m ≥ 6x"]["fired"]
    assert pairs(gate)["1h/5m ≥ 14.4x"]["peak_long"] == pytest.approx(7, rel=0.05)


def test_min_remaining_fails_a_budget_too_far_spent(promlab, tmp_path: Path) -> None:
    lab = promlab("budget_slow_leak")  # ~23% left
    gate = only_gate(lab, tmp_path, budget_toml("min_remaining = '30%'"))
    assert gate.status.value == "fail"
    assert gate.message.startswith("23.")
    assert gate.threshold.min == pytest.approx(0.3)


def test_restart_and_scrape_gap_lose_no_events(promlab, tmp_path: Path) -> None:
    lab = promlab("budget_gaps")
    gate = only_gate(lab, tmp_path, budget_toml("window = '24h'"))
    assert gate.status.value == "pass", gate.message
    expected = hand_computed_remaining(lab)  # 1 - (0.002*70h + 0.10*2h)/72h / 1% = 52.8%
    assert expected == pytest.approx(0.5278, abs=1e-4)
    assert gate.value == pytest.approx(expected, abs=0.01)
    assert any("increase() over the whole 72h period" in n for n in gate.evidence.notes)
    # what a time average of 5-minute ratios says instead: the bad requests served while
    # Prometheus was down vanish, and the budget looks far healthier than it is
    prom = PrometheusClient(ConnectionSettings(url=lab.url, timeout=30, retries=0, verify=True,
                                               max_points=11000))
    naive = prom.instant(f"avg_over_time((1 - sum(rate({GOOD}[5m])) / sum(rate({TOTAL}[5m])))"
                         "[72h:1m])", lab.end).series[0].values[0]
    assert 1 - naive / BUDGET > expected + 0.2
    # the same budget from a ratio query written with $window
    ratio = (f"1 - sum(rate({GOOD}[$window])) / sum(rate({TOTAL}[$window]))")
    from_ratio = only_gate(lab, tmp_path, budget_toml("window = '24h'", f"ratio = '{ratio}'"))
    assert from_ratio.value == pytest.approx(gate.value, abs=0.005)


def test_a_gap_inside_the_burn_window_is_no_data(promlab, tmp_path: Path) -> None:
    lab = promlab("budget_gaps")  # 6h without scrapes 40h..34h ago: 12% of a 48h window
    gate = only_gate(lab, tmp_path, budget_toml("window = '48h'"))
    assert gate.status.value == "no_data"
    assert "could be evaluated at only 8" in gate.message


def test_a_period_longer_than_the_history_is_no_data(promlab, tmp_path: Path) -> None:
    lab = promlab("budget_fast_burn")  # 96h of history
    gate = only_gate(lab, tmp_path, budget_toml().replace("period = '72h'", "period = '5d'"))
    assert gate.status.value == "no_data"
    assert "does not reach back to the start of the 120h period" in gate.message


def test_no_events_is_no_data(promlab, tmp_path: Path) -> None:
    lab = promlab("budget_fast_burn")
    gate = only_gate(lab, tmp_path, budget_toml(
        source=f"good = '{GOOD}'\ntotal = 'lukhas_no_such_metric_total'"))
    assert gate.status.value == "no_data"
