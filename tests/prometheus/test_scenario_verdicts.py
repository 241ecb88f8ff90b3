"""The default config's Prometheus gates conclude on every lab scenario what it says they must.

This ties the two halves together: the scenarios' ground truth (``gacheck.promlab.scenarios``)
and the gate kinds that read them, through the real default ``config/gates.toml``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gacheck.context import Context, Overrides
from gacheck.core.models import Audit
from gacheck.promlab.lab import Lab
from gacheck.promlab.scenarios import SCENARIOS
from gacheck.run.config_binding import load_config
from gacheck.run.evaluation import Selection, evaluate

DEFAULT_CONFIG = Path(__file__).resolve().parents[2] / "config" / "gates.toml"
CHECKED = sorted(name for name in SCENARIOS if name != "bench_week")  # bench_week: bench/


def evaluate_default(lab: Lab, tmp_path: Path) -> Audit:
    ctx = Context(at=lab.end, config=load_config(DEFAULT_CONFIG), repo=tmp_path,
                  audit_dir=tmp_path / "audits", overrides=Overrides(prometheus_url=lab.url))
    return evaluate(ctx, Selection(only=tuple(lab.scenario.expected)))


@pytest.mark.parametrize("name", CHECKED)
def test_default_gates_conclude_what_the_scenario_says(promlab, tmp_path: Path,
                                                       name: str) -> None:
    lab = promlab(name)
    audit = evaluate_default(lab, tmp_path)
    got = {g.id: g.status.value for g in audit.gates if g.id in lab.scenario.expected}
    assert got == dict(lab.scenario.expected), {
        g.id: g.message for g in audit.gates if g.id in lab.scenario.expected}


def test_restart_soak_is_the_time_since_the_restart(promlab, tmp_path: Path) -> None:
    lab = promlab("restart")
    soak = next(g for g in evaluate_default(lab, tmp_path).gates if g.id == "soak_duration")
    assert soak.value == pytest.approx(lab.scenario.facts["soak"].total_seconds())


def test_alerts_mixed_counts_only_the_critical_alert_firing_in_the_window(
    promlab, tmp_path: Path
) -> None:
    lab = promlab("alerts_mixed")
    alerts = next(g for g in evaluate_default(lab, tmp_path).gates if g.id == "critical_alerts")
    assert alerts.value == 1
    [fired] = alerts.evidence.details["alerts"]
    assert (fired["alertname"],) == lab.scenario.facts["firing_alerts"]
    assert fired["minutes_firing"] == pytest.approx(lab.scenario.facts["firing_minutes"], abs=1)
    assert fired["first"] == (lab.ago(lab.scenario.facts["firing"].start)).strftime(
        "%Y-%m-%dT%H:%M:%SZ")
