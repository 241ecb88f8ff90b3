"""``compare`` on real Prometheus histories: last week's soak, two versions side by side, an
earlier audit. Scenarios: ``gacheck/promlab/relative.py``."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from gacheck.context import Context, Overrides
from gacheck.core.errors import ConfigError
from gacheck.output.writer import write_audit
from gacheck.promlab.relative import FAST_P95
from gacheck.run.config_binding import load_config
from gacheck.run.evaluation import evaluate
from tests.prometheus.relative_helpers import DENIAL, P95, compare_toml, evaluate_toml, only_gate

ALLOW = P95.format(matchers='outcome="allow"')
DENY = P95.format(matchers='outcome="deny"')


def test_candidate_30_percent_slower_than_last_week_fails(promlab, tmp_path: Path) -> None:
    lab = promlab("compare_weeks")
    gate = only_gate(lab, tmp_path, compare_toml(ALLOW, "baseline = 'offset 7d'"))
    assert gate.status.value == "fail", gate.message
    assert gate.value == pytest.approx(lab.scenario.facts["allow_change"], abs=0.05)
    details = gate.evidence.details
    assert details["p"] < 0.05 and details["effect_rank_biserial"] > 0.9
    assert details["candidate"]["median"] == pytest.approx(FAST_P95 * 1.3, rel=0.05)
    assert details["baseline"]["median"] == pytest.approx(FAST_P95, rel=0.05)
    assert details["candidate"]["samples"] == details["baseline"]["samples"] == 2881
    # both queries with their instants: the baseline's window is the candidate's, 7 days back
    candidate, baseline = gate.evidence.queries
    assert candidate.end == lab.end and candidate.start == lab.end - timedelta(hours=48)
    assert baseline.end == lab.end - timedelta(days=7)
    assert baseline.start == lab.end - timedelta(days=9)
    assert len(details["sparkline"]) == 2 and all(details["sparkline"])
    assert "regression" in gate.message


def test_the_markdown_report_shows_both_sides_the_test_and_the_sparkline(
    promlab, tmp_path: Path
) -> None:
    from gacheck.reports.markdown import render_markdown

    lab = promlab("compare_weeks")
    audit = evaluate_toml(lab, tmp_path, compare_toml(ALLOW, "baseline = 'offset 7d'"))
    text = render_markdown(audit)
    assert "| candidate | `" in text and "| baseline (offset 7d) | `" in text
    assert "Mann-Whitney U = " in text and "rank-biserial r = +" in text
    assert re.search(r"candidate [▁-█]{48}\nbaseline  [▁-█]{48}\n", text)
    assert text.count("promql range ") == 2


def test_3_percent_slower_with_noise_passes(promlab, tmp_path: Path) -> None:
    lab = promlab("compare_weeks")
    gate = only_gate(lab, tmp_path, compare_toml(DENY, "baseline = 'offset 7d'"))
    assert gate.status.value == "pass", gate.message
    assert gate.value == pytest.approx(lab.scenario.facts["deny_change"], abs=0.03)
    assert "within the tolerance" in gate.message


def test_week_against_the_week_before_across_14_days(promlab, tmp_path: Path) -> None:
    lab = promlab("compare_weeks")
    gate = only_gate(lab, tmp_path, compare_toml(
        ALLOW, "baseline = 'offset 7d'\nwindow = '7d'\nstep = '1m'"))
    assert gate.status.value == "fail", gate.message
    baseline = gate.evidence.queries[1]
    assert (baseline.start, baseline.end) == (lab.end - timedelta(days=14),
                                              lab.end - timedelta(days=7))
    assert gate.evidence.details["baseline"]["samples"] >= 10000  # the whole first week


def test_baseline_older_than_the_history_is_no_data_never_a_pass(promlab, tmp_path: Path) -> None:
    lab = promlab("compare_weeks")
    gate = only_gate(lab, tmp_path, compare_toml(DENY, "baseline = 'offset 14d'"))
    assert gate.status.value == "no_data"
    assert gate.message.startswith("no baseline data")
    assert len(gate.evidence.queries) == 2


def test_fewer_than_min_samples_is_no_data(promlab, tmp_path: Path) -> None:
    lab = promlab("compare_weeks")
    gate = only_gate(lab, tmp_path, compare_toml(
        DENY, "baseline = 'offset 7d'\nwindow = '20m'\nmin_samples = 30"))
    assert gate.status.value == "no_data"
    assert "too few candidate samples: 21 < min_samples 30" in gate.message


def test_a_query_of_several_series_is_an_error(promlab, tmp_path: Path) -> None:
    lab = promlab("compare_weeks")
    by_outcome = ('histogram_quantile(0.95, sum by (le, outcome) '
                  '(rate(lukhas_guardian_decision_duration_seconds_bucket[5m])))')
    gate = only_gate(lab, tmp_path, compare_toml(by_outcome, "baseline = 'offset 7d'"))
    assert gate.status.value == "error"
    assert "returns 2 series" in gate.message


def test_rc_denial_rate_against_the_ga_version_beside_it(promlab, tmp_path: Path) -> None:
    lab = promlab("compare_versions")
    versions = "candidate_matchers = 'version=\"0.9.0-rc\"'\nbaseline_matchers = 'version=\"0.8.4\"'"
    gate = only_gate(lab, tmp_path, compare_toml(DENIAL, versions))
    assert gate.status.value == "fail", gate.message
    assert gate.value == pytest.approx(lab.scenario.facts["deny_change"], abs=0.05)
    candidate, baseline = gate.evidence.queries
    assert 'version="0.9.0-rc"' in candidate.promql and 'version="0.8.4"' in baseline.promql
    assert (candidate.start, candidate.end) == (baseline.start, baseline.end)
    # control: the same p95 on both versions passes
    same = only_gate(lab, tmp_path, compare_toml(P95.format(matchers="$matchers"), versions))
    assert same.status.value == "pass", same.message
    assert abs(same.value) < 0.05


def test_baseline_from_the_last_passing_audit(promlab, tmp_path: Path) -> None:
    lab = promlab("compare_weeks")
    audits = tmp_path / "audits"
    earlier = lab.end - timedelta(days=1)
    body = compare_toml(DENY, "baseline = 'audit:last-pass'")
    # no earlier audit: no baseline, no pass
    first = only_gate(lab, tmp_path, body, at=earlier)
    assert first.status.value == "no_data"
    assert "no earlier audit" in first.message
    # an audit a day earlier in which the same gate (same id, same query) passed
    path = tmp_path / "week.toml"
    path.write_text(compare_toml(DENY, "baseline = 'offset 7d'\nwindow = '24h'"))
    ctx = Context(at=earlier, config=load_config(path), repo=tmp_path, audit_dir=audits,
                  overrides=Overrides(prometheus_url=lab.url))
    passed = evaluate(ctx)
    assert passed.gates[0].status.value == "pass"
    write_audit(passed, ctx, charts=False)
    gate = only_gate(lab, tmp_path, body, audit_dir=audits)
    assert gate.status.value == "pass", gate.message
    assert gate.evidence.details["baseline"]["median"] == pytest.approx(
        passed.gates[0].evidence.details["candidate"]["median"])
    assert "p" not in gate.evidence.details  # one value: no test, said in the notes
    assert any("no significance test" in note for note in gate.evidence.notes)
    # control: an audit of another query is no baseline for this one
    other = only_gate(lab, tmp_path, compare_toml(ALLOW, "baseline = 'audit:last-pass'"),
                      audit_dir=audits)
    assert other.status.value == "no_data"
    assert "no earlier audit" in other.message
    assert any("candidate query differs" in n for n in other.evidence.notes)


@pytest.mark.parametrize(("extra", "error"), [
    ("baseline = 'offset 7d'\nthreshold = { max = '10%' }", "takes its limits from its own keys"),
    ("baseline = 'last week'", 'expected "offset <duration>"'),
    ("baseline = 'offset 7d'\ncandidate_matchers = 'version=\"1\"'", "not both"),
    ("candidate_matchers = 'version=\"1\"'\nbaseline_matchers = 'version=\"0\"'",
     "must contain $matchers"),
])
def test_config_errors_name_the_problem(tmp_path: Path, extra: str, error: str) -> None:
    path = tmp_path / "gates.toml"
    path.write_text(compare_toml(DENY, extra))
    with pytest.raises(ConfigError, match=error.replace("$", r"\$")):
        load_config(path)


def test_the_tolerance_is_the_gates_threshold(tmp_path: Path) -> None:
    path = tmp_path / "gates.toml"
    path.write_text(compare_toml(DENY, "baseline = 'offset 7d'\nmax_decrease = '20%'"))
    threshold = load_config(path).gates[0].threshold
    assert (threshold.max, threshold.min) == (pytest.approx(0.1), pytest.approx(-0.2))
