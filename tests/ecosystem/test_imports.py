"""``gacheck import keptn|openslo`` on example files written from the published formats: the
configs they write pass ``gacheck validate``, the mapping is the documented one, and what does
not map is reported with its reason."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
KEPTN = ["import", "keptn", str(DATA / "keptn-slo.yaml"), "--sli", str(DATA / "keptn-sli.yaml")]
OPENSLO = ["import", "openslo", str(DATA / "openslo.yaml")]


def _import(run_cli, tmp_path: Path, *argv: str) -> tuple[dict, str]:  # type: ignore[no-untyped-def]
    target = tmp_path / "imported.toml"
    done = run_cli(*argv, "--output", str(target))
    assert done.code == 0, done.err
    validated = run_cli("validate", "--config", str(target))
    assert validated.code == 0, validated.err
    return tomllib.loads(target.read_text()), done.err


def test_keptn_objectives_become_gates_that_validate(run_cli, tmp_path: Path) -> None:
    config, report = _import(run_cli, tmp_path, *KEPTN, "--service", "checkout",
                             "--project", "shop", "--stage", "prod")
    gates = {g["id"]: g for g in config["gates"]}
    assert sorted(gates) == ["cache_hit_ratio_vs_earlier", "error_rate", "memory_growth_vs_earlier",
                             "response_time_p95", "response_time_p95_vs_earlier", "throughput"]
    latency = gates["response_time_p95"]
    # pass <600 is the warn level, warning <=800 the failing bound; key_sli blocks; weight 2
    assert latency["threshold"] == {"max": 800, "warn": 600}
    assert latency.get("blocking", True) is True and latency["weight"] == 2
    assert 'job="checkout-shop-prod"' in latency["query"] and "[5m]" in latency["query"]
    assert "$" not in latency["query"]
    assert gates["throughput"]["threshold"] == {"min": 20, "warn": 50}
    assert gates["throughput"]["blocking"] is False  # not a key SLI: counts in the score
    assert config["settings"]["min_score"] == 75  # total_score.warning


def test_keptn_relative_criteria_become_compare_gates(run_cli, tmp_path: Path) -> None:
    config, report = _import(run_cli, tmp_path, *KEPTN)
    gates = {g["id"]: g for g in config["gates"]}
    latency = gates["response_time_p95_vs_earlier"]  # "<=+10%" beside the absolute "<600"
    assert latency["kind"] == "compare" and latency["max_increase"] == pytest.approx(0.1)
    assert "threshold" not in latency and latency.get("blocking", True) is True
    assert latency["query"] == gates["response_time_p95"]["query"]
    # include_result_with_score pass_or_warn: the newest passing audit is the baseline
    assert latency["baseline"] == "audit:last-pass"
    assert gates["cache_hit_ratio_vs_earlier"]["max_decrease"] == pytest.approx(0.05)
    assert gates["memory_growth_vs_earlier"]["max_increase"] == pytest.approx(0.05)
    assert "objective queue_wait criterion <=+50: a relative criterion the compare kind " \
           "cannot express" in report
    assert "until one exists the gate is no_data" in report
    assert "Keptn aggregated 3 earlier results (avg); the gate compares with one" in report


def test_keptn_report_names_what_was_not_imported_and_why(run_cli, tmp_path: Path) -> None:
    _, report = _import(run_cli, tmp_path, *KEPTN)
    assert "objective cpu_usage: no pass criteria: informative only" in report
    assert "objective queue_depth: several criteria lists (OR)" in report
    assert "total_score.pass 90%" in report
    assert "placeholders left in the query: $PROJECT, $SERVICE, $STAGE" in report
    written = (tmp_path / "imported.toml").read_text()
    assert "# not imported: objective cpu_usage" in written  # the config keeps the report


def test_keptn_without_the_sli_file_imports_nothing_and_says_so(run_cli) -> None:
    done = run_cli("import", "keptn", str(DATA / "keptn-slo.yaml"))
    assert done.code == 2
    assert "its SLI has no query" in done.err and "nothing could be imported" in done.err


def test_openslo_objectives_become_gates_that_validate(run_cli, tmp_path: Path) -> None:
    config, report = _import(run_cli, tmp_path, *OPENSLO)
    gates = {g["id"]: g for g in config["gates"]}
    assert list(gates) == ["facade_availability", "facade_latency_fast",
                           "facade_latency_tolerable"]
    availability = gates["facade_availability"]
    assert availability["unit"] == "ratio" and availability["threshold"] == {"min": 0.995}
    assert availability["query"].startswith('(sum(rate(http_requests_total{job="facade", '
                                            'code!~"5.."}[5m])))')
    fast = gates["facade_latency_fast"]  # indicatorRef to the SLI document
    assert fast["threshold"] == {"max": 0.25} and fast["max_breach_ratio"] == pytest.approx(0.01)
    assert gates["facade_latency_tolerable"]["max_breach_ratio"] == pytest.approx(0.001)
    assert "DataSource prometheus: no gate equivalent" in report
    assert "AlertPolicy facade-burn: no gate equivalent" in report
    assert report.count("metric source type 'Datadog'") == 1


def test_an_imported_bad_ratio_is_a_max_of_one_minus_the_target(run_cli, tmp_path: Path) -> None:
    source = tmp_path / "bad.yaml"
    source.write_text("""
apiVersion: openslo/v1
kind: SLO
metadata: {name: errors}
spec:
  service: api
  indicator:
    metadata: {name: errors}
    spec:
      ratioMetric:
        counter: false
        bad: {metricSource: {type: Prometheus, spec: {query: 'sum(rate(errors_total[5m]))'}}}
        total: {metricSource: {type: Prometheus, spec: {query: 'sum(rate(requests_total[5m]))'}}}
  timeWindow: [{duration: 28d, isRolling: true}]
  budgetingMethod: Occurrences
  objectives: [{target: 0.99}]
""")
    config, _ = _import(run_cli, tmp_path, "import", "openslo", str(source))
    (gate,) = config["gates"]
    assert gate["threshold"] == {"max": pytest.approx(0.01)}
    assert gate["query"] == "(sum(rate(errors_total[5m]))) / (sum(rate(requests_total[5m])))"


@pytest.mark.parametrize(("text", "message"), [
    ("apiVersion: v1\nkind: Pod\n", "not an OpenSLO document"),
    ("apiVersion: openslo/v1alpha\nkind: SLO\n", "only openslo/v1 is read"),
    ("key: [unclosed\n", "YAML syntax error"),
])
def test_bad_openslo_files_are_clear_errors(run_cli, tmp_path: Path, text: str,
                                            message: str) -> None:
    source = tmp_path / "x.yaml"
    source.write_text(text)
    done = run_cli("import", "openslo", str(source))
    assert done.code == 2 and message in done.err and "Traceback" not in done.err


def test_a_bad_keptn_criterion_names_its_key_path(run_cli, tmp_path: Path) -> None:
    source = tmp_path / "slo.yaml"
    source.write_text('objectives:\n  - sli: x\n    pass:\n      - criteria: ["about 5"]\n')
    done = run_cli("import", "keptn", str(source))
    assert done.code == 2 and "objectives[0].pass[0].criteria" in done.err


def test_import_never_overwrites(run_cli, tmp_path: Path) -> None:
    target = tmp_path / "gates.toml"
    target.write_text("keep me")
    done = run_cli(*OPENSLO, "--output", str(target))
    assert done.code == 2 and "already exists" in done.err
    assert target.read_text() == "keep me"
