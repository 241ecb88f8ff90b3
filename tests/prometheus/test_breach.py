"""The breach arithmetic: episodes, ratio, idle vs gaps, and the level the engine judges."""

from __future__ import annotations

import math

import pytest

from gacheck.sli.breach import Grid, breach_samples_allowed, judge, on_grid

NAN = math.nan


def run(values: list[float | None], limit: float = 10.0, upper: bool = True,
        max_breach: float = 900.0, ratio: float = 0.01):
    """``None`` is a gap (no sample), NaN is idle."""
    grid = Grid(0.0, 60.0, len(values))
    present = [v is not None for v in values]
    numbers = [NAN if v is None else v for v in values]
    return judge(numbers, present, grid, limit, upper, max_breach, ratio)


def test_a_breach_of_exactly_max_breach_is_not_sustained_one_step_longer_is():
    base = [1.0] * 3000
    fifteen = base[:100] + [20.0] * 15 + base[115:]
    sixteen = base[:100] + [20.0] * 16 + base[116:]
    short, long = run(fifteen), run(sixteen)
    assert short.longest is not None and short.longest.duration_s == 900.0
    assert not short.sustained and short.level is not None and short.level <= 10.0
    assert long.sustained_by_duration and long.longest is not None
    assert long.longest.duration_s == 960.0 and long.longest.start == 6000.0
    assert long.level == 20.0


def test_many_short_breaches_over_the_ratio_are_sustained():
    values = [1.0] * 1000
    for i in range(0, 1000, 50):  # 20 single-sample breaches: 2% of the samples
        values[i] = 50.0
    result = run(values)
    assert not result.sustained_by_duration
    assert result.sustained_by_ratio and result.breach_ratio == pytest.approx(0.02)
    assert result.level == 50.0
    assert result.episodes == 20


def test_breaches_at_the_ratio_exactly_are_not_more_than_it():
    values = [1.0] * 1000
    for i in range(0, 1000, 100):  # 10 of 1000 = exactly 1%
        values[i] = 50.0
    result = run(values)
    assert not result.sustained
    assert result.level == 1.0  # the 11th largest sample
    assert breach_samples_allowed(1000, 0.01) == 10


def test_idle_samples_are_neither_breaches_nor_gaps_and_end_an_episode():
    values = [1.0] * 100 + [20.0] * 10 + [NAN] + [20.0] * 10 + [1.0] * 2000
    result = run(values)
    assert result.idle == 1 and result.gaps == 0
    assert result.breaches == 20 and result.episodes == 2
    assert not result.sustained_by_duration  # 10m, idle, 10m: two episodes, not 21m
    assert result.valued == len(values) - 1


def test_gaps_lower_coverage_and_end_an_episode():
    values: list[float | None] = [1.0] * 80 + [None] * 20
    result = run(values)
    assert result.gaps == 20 and result.coverage == pytest.approx(0.8)
    split = run([20.0] * 10 + [None] + [20.0] * 10 + [1.0] * 3000)
    assert split.episodes == 2 and not split.sustained_by_duration


def test_a_min_threshold_is_mirrored():
    values = [0.99] * 1000
    values[10:40] = [0.5] * 30
    result = run(values, limit=0.95, upper=False)
    assert result.sustained_by_duration and result.level == 0.5
    fine = run([0.99] * 1000, limit=0.95, upper=False)
    assert not fine.sustained and fine.level == 0.99


def test_statistics_and_all_idle_series():
    result = run([float(i) for i in range(1, 101)], limit=1000)
    assert (result.minimum, result.maximum, result.median) == (1.0, 100.0, 50.5)
    assert result.p95 == pytest.approx(95.05)
    idle = run([NAN] * 10)
    assert idle.level is None and idle.breach_ratio is None and idle.valued == 0


def test_infinite_values_are_breaches_with_an_infinite_peak():
    result = run([1.0] * 100 + [math.inf] * 20)
    assert result.sustained and result.level == math.inf
    assert result.longest is not None and result.longest.peak == math.inf


@pytest.mark.parametrize("level_limit", [0.0, 5.0, 9.99, 10.0, 20.0, 49.0])
def test_level_beyond_limit_exactly_when_sustained(level_limit: float):
    values = [1.0] * 500 + [12.0] * 20 + [1.0] * 300 + [30.0] * 3 + [50.0] * 2
    result = run(values, limit=level_limit, ratio=0.004)
    assert result.level is not None
    assert (result.level > level_limit) == result.sustained


def test_on_grid_places_samples_and_leaves_gaps():
    grid = Grid(1000.0, 60.0, 5)
    values, present = on_grid(grid, [1000.0, 1120.0, 1240.0, 9999.0], [1.0, NAN, 3.0, 4.0])
    assert present.tolist() == [True, False, True, False, True]
    assert values[0] == 1.0 and math.isnan(values[2]) and values[4] == 3.0
