"""``soak_duration`` on a real Prometheus: soak length, restarts, scrape coverage."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.prometheus.helpers import context, default_context, result


def stamp(instant) -> str:
    return instant.isoformat().replace("+00:00", "Z")


def test_healthy_soak_passes_and_ignores_other_jobs(promlab, tmp_path):
    lab = promlab("healthy")  # lukhas-core restarted 3h ago; the façade runs for 50h
    res = result(default_context(tmp_path, lab.url, lab.end), "soak_duration")
    assert res.status.value == "pass"
    assert res.value == pytest.approx(lab.scenario.facts["soak"].total_seconds(), abs=60)
    details = res.evidence.details
    assert details["restarts_in_window"] == []
    assert details["scrape_coverage"] > 0.99
    assert [q.promql for q in res.evidence.queries][0] == (
        'process_start_time_seconds{job="lukhas-facade"}')


def test_a_restart_inside_the_window_resets_the_soak_and_says_when(promlab, tmp_path):
    lab = promlab("restart")
    res = result(default_context(tmp_path, lab.url, lab.end), "soak_duration")
    restart = lab.ago(lab.scenario.facts["restart"])
    assert res.status.value == "fail"
    assert res.value == pytest.approx(timedelta(hours=20).total_seconds(), abs=60)
    assert "restarted inside the 48h window" in res.message
    starts = [r["at"] for r in res.evidence.details["restarts_in_window"]]
    assert starts == [stamp(restart)]


def test_a_soak_nobody_watched_warns(promlab, tmp_path):
    lab = promlab("scrape_gap")  # 12h without scrapes in a 50h soak
    res = result(default_context(tmp_path, lab.url, lab.end), "soak_duration")
    assert res.status.value == "warn"
    assert res.evidence.details["scrape_coverage"] == pytest.approx(0.76, abs=0.02)
    assert "weak evidence" in res.message


def test_a_selector_that_matches_nothing_is_no_data_with_the_reason(promlab, tmp_path):
    lab = promlab("healthy")
    ctx = context(tmp_path, lab.url, lab.end, """
        [[gates]]
        id = "soak"
        kind = "soak_duration"
        title = "soak"
        selector = '{job="lukhas-facade-typo"}'
    """)
    res = result(ctx)
    assert res.status.value == "no_data"
    assert 'no process_start_time_seconds{job="lukhas-facade-typo"}' in res.message
    assert "not running or not scraped" in res.message


def test_coverage_counts_from_the_first_scrape_after_the_start(promlab, tmp_path):
    # The restart's failed scrape is at the restart instant itself, before the new process's
    # first scrape: a target scraped healthily ever since reads 100%.
    lab = promlab("restart")
    res = result(default_context(tmp_path, lab.url, lab.end), "soak_duration")
    assert res.evidence.details["scrape_coverage"] == 1.0
    assert "scrape coverage 100.0%" in res.message
    assert res.evidence.queries[-1].promql == 'min_over_time(up{job="lukhas-facade"}[59999ms])'


def test_a_start_inside_the_window_is_listed_with_the_start_before_it_outside(promlab, tmp_path):
    lab = promlab("restart")  # first started 60h before the end: outside the 48h window
    res = result(default_context(tmp_path, lab.url, lab.end), "soak_duration")
    (start,) = res.evidence.details["restarts_in_window"]
    assert start["at"] == stamp(lab.ago(lab.scenario.facts["restart"]))
    assert start["previous"] == stamp(lab.ago(timedelta(hours=60)))


def test_a_first_start_inside_the_window_is_not_called_a_restart(promlab, tmp_path):
    lab = promlab("healthy")  # started 50h before the end; nothing ran before it
    ctx = context(tmp_path, lab.url, lab.end, """
        [[gates]]
        id = "soak"
        kind = "soak_duration"
        title = "soak"
        window = "51h"
    """)
    res = result(ctx)
    assert res.status.value == "pass"
    assert "started inside the 51h window (no earlier start is stored)" in res.message
    (start,) = res.evidence.details["restarts_in_window"]
    assert start["previous"] is None


def test_a_start_time_after_at_is_an_impossible_value(promlab, tmp_path):
    # The lab writes the façade's start time (50h before the end) from the history's first
    # sample on, so at 51h before the end the start lies an hour after --at: a negative soak.
    lab = promlab("healthy")
    res = result(default_context(tmp_path, lab.url, lab.ago(timedelta(hours=51))),
                 "soak_duration")
    assert res.status.value == "error"
    assert res.message.startswith("impossible value: lukhas-facade-0:8000 started at")
    assert "1h after --at" in res.message
    assert res.evidence.queries  # the queries that showed it, to re-run
