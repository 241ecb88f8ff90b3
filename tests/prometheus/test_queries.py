"""The PromQL the kinds write for their users, their parameters, and alert history arithmetic."""

from __future__ import annotations

import pytest

from gacheck.collectors.prometheus.promql import duration
from gacheck.collectors.prometheus.results import Series, parse_result
from gacheck.core.errors import ConfigError
from gacheck.gates.alerts import AlertsParams, alerts_selector
from gacheck.gates.histogram_quantile import HistogramQuantileParams, bucket_note, quantile_query
from gacheck.gates.ratio import RatioParams, ratio_query
from gacheck.sli.alert_history import firing_spans

EDGES = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, float("inf")]


def test_ratio_keeps_a_zero_numerator_and_groups_both_sides():
    params = RatioParams(numerator='x_total{outcome="deny"}', denominator="x_total")
    assert ratio_query(params) == (
        '(sum(rate(x_total{outcome="deny"}[5m])) or 0 * sum(rate(x_total[5m]))) '
        "/ sum(rate(x_total[5m]))")
    by = RatioParams(numerator="a", denominator="b", by=["scope"], rate_window="90s")
    assert ratio_query(by) == ("(sum by (scope) (rate(a[90s])) or 0 * sum by (scope) "
                               "(rate(b[90s]))) / sum by (scope) (rate(b[90s]))")
    assert ratio_query(RatioParams(rule="guardian:denial_rate:ratio")) == (
        "guardian:denial_rate:ratio")


@pytest.mark.parametrize("given", [{"numerator": "a"}, {"rule": "r", "numerator": "a"}, {}])
def test_ratio_needs_either_both_selectors_or_a_rule(given):
    with pytest.raises(ValueError, match="numerator and denominator|not both"):
        RatioParams(**given)


def test_histogram_quantile_query_with_matchers_and_min_events():
    params = HistogramQuantileParams(metric="lat_seconds_bucket", quantile=0.99,
                                     matchers='{route="/v1"}', by=["outcome"])
    query = quantile_query(params)
    assert query.startswith('histogram_quantile(0.99, sum by (le, outcome) '
                            '(rate(lat_seconds_bucket{route="/v1"}[5m])))')
    assert ('(sum by (outcome) (increase(lat_seconds_bucket{route="/v1", le="+Inf"}[5m])) '
            ">= bool 100)") in query
    assert query.count(">= bool 100)") == 2  # 1 / (1 - 0.99), as x * b / b
    plain = HistogramQuantileParams(metric="lat_seconds", min_events=0)
    assert quantile_query(plain) == (
        "histogram_quantile(0.95, sum by (le) (rate(lat_seconds_bucket[5m])))")


def test_bucket_note_on_an_edge_inside_a_bucket_and_past_the_last():
    on_edge = bucket_note(EDGES, 0.010, 0.95)
    assert on_edge is not None and 'bucket edge le="0.01"' in on_edge
    assert "5ms–10ms bucket" in on_edge and "exact" in on_edge
    inside = bucket_note(EDGES, 0.008, 0.95)
    assert inside is not None and "inside the 5ms–10ms bucket" in inside
    past = bucket_note(EDGES, 2.0, 0.95)
    assert past is not None and "above the highest finite bucket edge 1s" in past
    assert bucket_note([], 0.01, 0.95) is None


def test_alert_selector_and_config_errors_name_the_key(write_config):
    assert alerts_selector(AlertsParams(severities=["critical", "page"], matchers='env="prod"')) \
        == 'ALERTS{alertstate="firing", severity=~"critical|page", env="prod"}'
    from gacheck.run.config_binding import load_config

    path = write_config("""
        [[gates]]
        id = "alerts"
        kind = "alerts"
        title = "alerts"
        allow = [{ alert = "Watchdog" }]
    """)
    with pytest.raises(ConfigError, match=r"gates\[0\]\.allow\[0\]\.reason: required key"):
        load_config(path)


def test_firing_spans_split_episodes_and_measure_minutes():
    start = 1_000_000.0
    first = [start + 30 * i for i in range(20)]  # 10 minutes at a 30 s rule interval
    second = [start + 3600 + 30 * i for i in range(4)]  # 2 more minutes an hour later
    series = Series({"__name__": "ALERTS", "alertname": "Down", "alertstate": "firing",
                     "severity": "critical"}, first + second, [1.0] * 24)
    (span,) = firing_spans([series])
    assert span.episodes == 2 and span.minutes == pytest.approx(12.0)
    assert span.first == start and span.last == second[-1]
    assert "alertstate" not in span.labels and span.label_text() == '{severity="critical"}'


def test_parse_result_reads_vectors_matrices_scalars_and_nan():
    vector = [{"metric": {"b": "2"}, "value": [10, "NaN"]}, {"metric": {"a": "1"},
                                                              "value": [10, "+Inf"]}]
    parsed = parse_result(vector)
    assert [s.labels for s in parsed] == [{"a": "1"}, {"b": "2"}]  # sorted by labels
    assert parsed[0].values == [float("inf")] and parsed[1].values[0] != parsed[1].values[0]
    assert parse_result([10.5, "3"])[0].values == [3.0]
    matrix = [{"metric": {}, "values": [[1, "1"], [2, "2"]]}]
    assert parse_result(matrix)[0].timestamps == [1.0, 2.0]


def test_promql_durations():
    assert [duration(s) for s in (300, 172800, 90, 0.25, 3600)] == [
        "5m", "2d", "90s", "250ms", "1h"]
