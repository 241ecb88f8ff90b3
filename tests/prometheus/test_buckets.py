"""The bucket arithmetic of a threshold inside a bucket, and one series' evidence (pure)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from gacheck.core.units import format_duration
from gacheck.sli.breach import Grid
from gacheck.sli.buckets import ABOVE, BELOW, UNKNOWN, Bracket, bracket, describe, sides
from gacheck.sli.series_evidence import Limits, examine, shortfall

EDGES = (0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, math.inf)


def test_bracket_finds_the_edges_around_a_threshold_and_none_on_an_edge():
    assert bracket(EDGES, 0.01) is None and bracket(EDGES, 0.0100000000001) is None
    assert bracket(EDGES, 0.007) == Bracket(0.005, 0.01, 0.007)
    assert bracket(EDGES, 0.0005) == Bracket(0.0, 0.001, 0.0005)  # below the lowest edge
    assert bracket(EDGES, 2.0) == Bracket(1.0, math.inf, 2.0)  # above the highest finite one
    assert bracket([math.inf], 0.01) is None and bracket([], 0.01) is None


def test_the_message_names_the_bucket_and_the_remedy():
    assert describe(Bracket(0.0, 0.1, 0.05), format_duration) == (
        "threshold 50ms is inside bucket 0–100ms; set it to an edge or add a bucket")
    assert "inside bucket 1s–+Inf" in describe(Bracket(1.0, math.inf, 2.0), format_duration)


def test_sides_of_the_issue_examples():
    # all observations in 0–100 ms, threshold 50 ms: share ≤ 0 is 0, share ≤ 100 ms is 1
    assert sides([0.0], [1.0], 0.95).tolist() == [UNKNOWN]
    assert sides([0.96], [1.0], 0.95).tolist() == [BELOW]  # 96% ≤ a: p95 ≤ a < T
    assert sides([0.5], [0.94], 0.95).tolist() == [ABOVE]  # 94% ≤ b: p95 > b > T
    assert sides([0.95], [0.95], 0.95).tolist() == [BELOW]  # exactly q ≤ a still proves ≤ a
    assert sides([np.nan, 0.2], [1.0, np.nan], 0.95).tolist() == [UNKNOWN, UNKNOWN]
    assert sides([0.99], [0.5], 0.95).tolist() == [UNKNOWN]  # not monotonic: proves nothing


def true_quantile(observations: list[float], q: float) -> float:
    """The smallest x with a share ≥ q of observations ≤ x."""
    ordered = sorted(observations)
    return ordered[max(math.ceil(q * len(ordered) - 1e-12) - 1, 0)]


def test_a_sure_side_is_the_side_of_the_true_quantile():
    """For thresholds inside a bucket: a sure side (BELOW or ABOVE) is where the true quantile
    lies; nothing observed inside the bucket always gives a sure side; and both sure sides
    occur among the examples, so the property is checked on them and not vacuously."""
    seen = set()

    @settings(max_examples=300, deadline=None)
    @given(
        observations=st.lists(st.floats(0.0, 2.0, allow_nan=False), min_size=1, max_size=200),
        edges=st.lists(st.floats(0.001, 1.5, allow_nan=False), min_size=1, max_size=8,
                       unique=True),
        threshold=st.floats(0.0005, 1.9, allow_nan=False),
        q=st.sampled_from([0.5, 0.9, 0.95, 0.99]),
    )
    def check(observations, edges, threshold, q):
        found = bracket(edges, threshold)
        assume(found is not None)  # a threshold on an edge needs no bucket arithmetic
        n = len(observations)
        lower = sum(o <= found.lower for o in observations) / n if found.lower > 0 else 0.0
        upper = sum(o <= found.upper for o in observations) / n
        [side] = sides([lower], [upper], q).tolist()
        seen.add(side)
        quantile = true_quantile(observations, q)
        if side == BELOW:
            assert quantile <= found.lower < threshold
        elif side == ABOVE:
            assert quantile > found.upper > threshold
        # Nothing inside the bucket: the buckets always tell.
        if not any(found.lower < o <= found.upper for o in observations) and (
                found.lower > 0 or not any(o <= 0 for o in observations)):
            assert side != UNKNOWN

    check()
    assert {BELOW, ABOVE} <= seen, seen




def examine_list(items, unknown=None, beyond=None, limit=10.0, upper=True):
    """``None`` is a gap, NaN idle."""
    values = np.asarray([np.nan if v is None else v for v in items], dtype=float)
    present = np.asarray([v is not None for v in items], dtype=bool)
    grid = Grid(0.0, 60.0, len(items))
    return examine(values, present, unknown, grid, Limits(limit, upper, 900.0, 0.01), beyond)


def test_lifespan_leaves_out_absence_before_the_first_and_after_the_last_sample():
    ev = examine_list([None] * 100 + [1.0] * 50 + [None] * 10 + [1.0] * 40 + [None] * 5)
    assert (ev.first, ev.last, ev.span) == (100, 199, 100)
    assert ev.coverage == pytest.approx(0.9) and ev.active_share == pytest.approx(0.9)
    assert shortfall(ev, 60.0, 0.9, 0.5) is None
    assert "coverage 80.0%" in shortfall(
        examine_list([1.0] * 40 + [None] * 20 + [1.0] * 40), 60.0, 0.9, 0.5)


def test_idle_instants_are_covered_but_not_active():
    ev = examine_list([1.0] * 120 + [math.nan] * 2760 + [1.0])
    assert ev.coverage == 1.0 and ev.active == 121
    assert shortfall(ev, 60.0, 0.9, 0.5) == "2h1m of 48h active (4%), below min_active 50%"
    quiet = examine_list([1.0] * 2520 + [math.nan] * 360 + [1.0])  # a 6h night in 48h
    assert shortfall(quiet, 60.0, 0.9, 0.5) is None


def test_unknown_instants_are_breaches_only_in_the_possible_reading():
    values = [12.0] * 100 + [1.0] * 100  # interpolated above 10 for the first 100 minutes
    unknown = np.array([True] * 100 + [False] * 100)
    ev = examine_list(values, unknown, beyond=100.0)
    assert ev.indeterminate == 100
    assert not ev.sure.sustained and ev.sure.breaches == 0 and ev.sure.level == 10.0
    assert ev.possible.sustained and ev.possible.level == 100.0
    assert ev.raw.median == pytest.approx(6.5)  # statistics stay Prometheus' own values


def test_unknown_instants_never_hide_a_sure_breach_and_idle_ones_do_not_count():
    values = [20.0] * 30 + [math.nan] * 10 + [1.0] * 160
    unknown = np.array([False] * 30 + [True] * 10 + [False] * 160)
    ev = examine_list(values, unknown, beyond=100.0)
    assert ev.indeterminate == 0 and ev.sure.sustained and ev.sure is ev.possible


def test_a_min_threshold_reads_unknown_instants_below_it():
    values = [0.5] * 50
    ev = examine_list(values, np.ones(50, dtype=bool), beyond=0.1, limit=0.4, upper=False)
    assert not ev.sure.sustained and ev.possible.sustained and ev.possible.level == 0.1
