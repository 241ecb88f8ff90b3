"""The compare gate's statistics: scipy's Mann-Whitney U against known values, the judgement
matrix (tolerance x significance), and the two-line sparkline on one scale."""

from __future__ import annotations

import pytest

from gacheck.core.models import Status
from gacheck.sli.comparison import Limits, judge_change, relative_change, two_line_sparkline
from gacheck.sli.stats import mann_whitney

TEN_PERCENT = Limits(max_increase=0.10, max_decrease=None, significance=0.05)


def test_u_and_p_match_the_textbook_example() -> None:
    # scipy's documentation example (Conover): U = 17 for the first sample, exact p = 1/9
    test = mann_whitney([19, 22, 16, 29, 24], [20, 11, 17, 12])
    assert test.u == 17
    assert test.p == pytest.approx(0.1111111, abs=1e-6)
    assert test.superiority == pytest.approx(17 / 20)
    assert test.rank_biserial == pytest.approx(0.7)


def test_complete_separation_by_hand() -> None:
    # every candidate above every baseline: U = n1*n2 = 9; exact two-sided p = 2 / C(6,3) = 0.1
    higher = mann_whitney([4, 5, 6], [1, 2, 3])
    assert (higher.u, higher.rank_biserial) == (9, 1.0)
    assert higher.p == pytest.approx(0.1)
    lower = mann_whitney([1, 2, 3], [4, 5, 6])
    assert (lower.u, lower.rank_biserial) == (0, -1.0)
    assert lower.p == pytest.approx(0.1)


def test_identical_samples_are_not_significant() -> None:
    test = mann_whitney([1.0] * 40, [1.0] * 50)
    assert test.p == 1.0
    assert test.rank_biserial == 0.0


def test_large_shift_is_significant_and_small_noise_is_not() -> None:
    base = [10 + (i % 7) * 0.1 for i in range(200)]
    assert mann_whitney([v * 1.3 for v in base], base).p < 1e-10
    assert mann_whitney(base[::-1], base).p > 0.5


def test_a_regression_is_beyond_the_tolerance_and_significant() -> None:
    base = [10 + (i % 7) * 0.1 for i in range(100)]
    verdict = judge_change([v * 1.3 for v in base], base, TEN_PERCENT)
    assert verdict.status is Status.FAIL
    assert verdict.change == pytest.approx(0.3)
    assert verdict.significant


def test_significant_but_within_the_tolerance_passes() -> None:
    base = [10 + (i % 7) * 0.1 for i in range(500)]
    verdict = judge_change([v * 1.03 for v in base], base, TEN_PERCENT)
    assert verdict.significant
    assert verdict.status is Status.PASS


def test_beyond_the_tolerance_but_not_significant_warns() -> None:
    # four samples a side: no test can tell; the medians moved by 50%
    verdict = judge_change([1.0, 9.0, 2.0, 10.0], [1.0, 5.0, 2.0, 6.0], TEN_PERCENT)
    assert verdict.change > 0.10
    assert not verdict.significant
    assert verdict.status is Status.WARN


def test_decrease_limit_and_one_baseline_value() -> None:
    limits = Limits(max_increase=None, max_decrease=0.2, significance=0.05)
    assert judge_change([7.0] * 40, 10.0, limits).status is Status.FAIL  # -30%, no test
    assert judge_change([9.0] * 40, 10.0, limits).status is Status.PASS  # -10%
    assert judge_change([90.0] * 40, 10.0, limits).status is Status.PASS  # increases allowed
    assert judge_change([7.0] * 40, 10.0, limits).test is None


def test_a_zero_baseline_has_no_relative_change() -> None:
    assert relative_change(0.0, 0.0) == 0.0
    with pytest.raises(ValueError, match="undefined"):
        relative_change(1.0, 0.0)


def test_sparkline_draws_both_series_on_one_scale() -> None:
    top, bottom = two_line_sparkline([10.0] * 100, [1.0] * 100, width=10)
    assert (len(top), len(bottom)) == (10, 10)
    assert set(top) == {"█"} and set(bottom) == {"▁"}
