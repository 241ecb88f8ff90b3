"""The default gates on VictoriaMetrics give the statuses they give on Prometheus.

Each scenario's history is served twice: by the session's lab Prometheus (``promlab``) and by
a real ``victoria-metrics`` holding the same generated series, with ``vmalert`` listing the
lab's alerting rules (``[prometheus] rules_url``). MetricsQL differs from PromQL in places
(docs/backends.md); the statuses must not.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from gacheck.context import Context, Overrides
from gacheck.core.models import Status
from gacheck.promlab.catalog import get
from gacheck.promlab.scenarios import SERVICES
from gacheck.promlab.victoria import VictoriaLab, running_victoria
from gacheck.run.config_binding import load_config
from tests.prometheus.helpers import default_prometheus_gates, result

pytestmark = pytest.mark.prometheus


@pytest.fixture(scope="session")
def victorialab(tmp_path_factory: pytest.TempPathFactory,
                promlab_end) -> Iterator[Callable[[str], VictoriaLab]]:
    """One VictoriaMetrics (and vmalert) per scenario, started on first use and kept for the
    session like ``promlab``'s servers; the tests of a scenario run on one xdist worker."""
    labs: dict[str, VictoriaLab] = {}
    with contextlib.ExitStack() as stack:

        def start(name: str) -> VictoriaLab:
            if name not in labs:
                workdir = tmp_path_factory.mktemp(f"victoria-{name}")
                labs[name] = stack.enter_context(running_victoria(get(name), promlab_end,
                                                                  workdir))
            return labs[name]

        yield start


def default_ctx(tmp_path: Path, url: str, at, rules_url: str | None) -> Context:
    text = default_prometheus_gates()
    if rules_url:
        text = text.replace("[prometheus]\n", f'[prometheus]\nrules_url = "{rules_url}"\n', 1)
    path = tmp_path / f"gates-{abs(hash((url, rules_url)))}.toml"
    path.write_text(text, encoding="utf-8")
    return Context(at=at, config=load_config(path), repo=tmp_path, audit_dir=tmp_path / "out",
                   overrides=Overrides(prometheus_url=url))


def statuses(ctx: Context) -> dict[str, str]:
    return {g.id: result(ctx, g.id).status.value for g in ctx.config.gates}


@pytest.mark.parametrize("scenario", [
    "healthy", "sustained_breach", "short_blip", "idle_night", "scrape_gap", "alerts_mixed",
    "no_alert_rules", "restart", "one_outcome_bad",
])
def test_every_default_gate_agrees_with_prometheus(promlab, victorialab, tmp_path, scenario):
    prom, vm = promlab(scenario), victorialab(scenario)
    on_prometheus = statuses(default_ctx(tmp_path, prom.url, prom.end, None))
    on_victoria = statuses(default_ctx(tmp_path, vm.url, vm.end, vm.rules_url))
    assert on_victoria == on_prometheus
    assert on_victoria == dict(get(scenario).expected)


def test_idle_instants_are_recovered_where_victoria_metrics_drops_nan(promlab, victorialab,
                                                                      tmp_path):
    vm = victorialab("idle_night")
    res = result(default_ctx(tmp_path, vm.url, vm.end, vm.rules_url), "guardian_denial_rate")
    assert res.status is Status.PASS  # 12 idle hours are idle, not a gap
    assert any("leaves NaN (idle) samples out" in n for n in res.evidence.notes)
    prom = promlab("idle_night")
    res = result(default_ctx(tmp_path, prom.url, prom.end, None), "guardian_denial_rate")
    assert not any("leaves NaN" in n for n in res.evidence.notes)  # Prometheus keeps NaN


def test_alert_rules_come_from_vmalert_and_the_gate_says_so(victorialab, tmp_path):
    vm = victorialab("healthy")
    with_rules = result(default_ctx(tmp_path, vm.url, vm.end, vm.rules_url), "critical_alerts")
    assert with_rules.status is Status.PASS
    assert with_rules.evidence.details["rules_source"] == vm.rules_url
    assert any("lists no rule group; read them from rules_url" in n
               for n in with_rules.evidence.notes)
    assert "CriticalGuardianDenialRate" in with_rules.evidence.details["rules_loaded"]
    # Without rules_url VictoriaMetrics' own /api/v1/rules is empty: the gate cannot pass.
    without = result(default_ctx(tmp_path, vm.url, vm.end, None), "critical_alerts")
    assert without.status is Status.NO_DATA
    assert "set [prometheus] rules_url to vmalert" in without.message


def test_for_each_templates_agree_on_both_backends(promlab, victorialab, tmp_path):
    from gacheck.run.evaluation import evaluate
    from tests.prometheus.helpers import context
    from tests.prometheus.test_for_each import QUERY, templates

    prom, vm = promlab("services"), victorialab("services")
    found = {}
    for name, lab in (("prometheus", prom), ("victoria", vm)):
        (tmp_path / name).mkdir()
        audit = evaluate(context(tmp_path / name, lab.url, lab.end, templates(f"query = {QUERY}")))
        found[name] = {g.id: g.status for g in audit.gates}
    assert found["victoria"] == found["prometheus"]
    assert {i for i, s in found["victoria"].items() if s is Status.FAIL} == {
        "pdp_p95_latency[ledger]", "guardian_denial_rate[ledger]"}
    assert len(found["victoria"]) == 3 * len(SERVICES)
