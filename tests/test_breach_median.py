"""The breach judgement's median and p95 are numpy's, to the bit (audits stay byte-identical)."""
from __future__ import annotations

import warnings

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from gacheck.sli.breach import _median, _percentile

values = st.lists(st.one_of(st.floats(allow_nan=False, width=64), st.just(float("inf")),
                            st.just(float("-inf"))), min_size=1, max_size=60)


@settings(max_examples=500, deadline=None, derandomize=True, database=None)
@given(values)
def test_the_median_is_numpys(sample: list[float]) -> None:
    array = np.array(sample, dtype=np.float64)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        expected = float(np.median(array))
        got = _median(array)
    assert np.array_equal(np.array([got]), np.array([expected]), equal_nan=True)
    assert np.signbit(got) == np.signbit(expected)


@settings(max_examples=1500, deadline=None, derandomize=True, database=None)
@given(values, st.sampled_from([95, 50, 0, 100, 99, 5, 37.5]))
def test_the_percentile_is_numpys(sample: list[float], q: float) -> None:
    array = np.array(sample, dtype=np.float64)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        expected = float(np.percentile(array, q))
        got = _percentile(array, q)
    assert np.array_equal(np.array([got]), np.array([expected]), equal_nan=True), (got, expected)
    assert np.signbit(got) == np.signbit(expected)
