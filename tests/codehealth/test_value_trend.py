"""The direction of a trend is the least-squares slope, from ``MIN_TREND_POINTS`` points on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from gacheck.history.value_trend import MIN_TREND_POINTS, trend_of

DAY0 = datetime(2026, 11, 1, 6, tzinfo=UTC)


def days(*values: float) -> list[tuple[datetime, float]]:
    return [(DAY0 + timedelta(days=i), v) for i, v in enumerate(values)]


def test_sixty_to_ninety_then_eighty_nine_is_rising() -> None:
    trend = trend_of(days(60, 70, 80, 90), 89, DAY0 + timedelta(days=4))
    assert trend.delta == -1
    assert trend.slope_per_day is not None and trend.slope_per_day > 0
    assert trend.rising


def test_a_steady_fall_with_one_higher_day_is_not_rising() -> None:
    assert not trend_of(days(90, 80, 70, 60), 61, DAY0 + timedelta(days=4)).rising


def test_equal_values_are_flat_not_rising() -> None:
    assert not trend_of(days(5, 5, 5), 5, DAY0 + timedelta(days=3)).rising


def test_below_the_minimum_points_there_is_no_direction() -> None:
    assert MIN_TREND_POINTS == 2
    first = trend_of([], 7, DAY0)
    assert not first.rising and first.slope_per_day is None
    same_instant = trend_of([(DAY0, 3)], 7, DAY0)  # no two distinct instants
    assert not same_instant.rising and same_instant.slope_per_day is None
    two = trend_of(days(3), 7, DAY0 + timedelta(days=1))
    assert two.rising and two.slope_per_day == 4
