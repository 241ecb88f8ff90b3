from __future__ import annotations

import pytest

from gacheck.core.units import Unit, format_value, parse_duration, parse_quantity, parse_ratio


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("10ms", 0.01), ("48h", 172800.0), ("1h30m", 5400.0), ("15s", 15.0), (90, 90.0), ("2d", 172800.0)],
)
def test_durations_are_read_as_seconds(text: str | int, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["ten", "10", "10 parsecs", "", "-5s", "h"])
def test_a_duration_without_unit_or_with_nonsense_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match='expected a duration like "10ms"'):
        parse_duration(text)


def test_percentages_become_ratios() -> None:
    assert parse_ratio("1%") == pytest.approx(0.01)
    assert parse_ratio("0.5 %") == pytest.approx(0.005)
    assert parse_ratio(0.02) == pytest.approx(0.02)
    with pytest.raises(ValueError, match="percentage"):
        parse_ratio("one percent")


def test_counts_refuse_booleans_and_infinities() -> None:
    assert parse_quantity("120", Unit.COUNT) == 120
    for bad in (True, "inf", float("nan")):
        with pytest.raises(ValueError):
            parse_quantity(bad, Unit.COUNT)


def test_values_are_shown_in_their_unit() -> None:
    assert format_value(0.0092, Unit.SECONDS) == "9.2ms"
    assert format_value(172800, Unit.SECONDS) == "48h"
    assert format_value(50 * 3600 + 60 * 5, Unit.SECONDS) == "50h5m"
    assert format_value(9 * 86400 + 3 * 3600, Unit.SECONDS) == "9d3h"
    assert format_value(0.0125, Unit.RATIO) == "1.25%"
    assert format_value(97.0, Unit.COUNT) == "97"
    assert format_value(None, Unit.COUNT) == "—"
