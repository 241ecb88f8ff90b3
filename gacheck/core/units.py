"""Quantities written the way people write thresholds: ``"10ms"``, ``"48h"``, ``"1%"``, ``120``.

Durations are seconds, percentages are ratios (``"1%"`` is 0.01); plain numbers stay as given.
"""

from __future__ import annotations

import math
import re
from enum import StrEnum


class Unit(StrEnum):
    """What a gate's value measures; decides how thresholds are read and shown."""

    SECONDS = "seconds"
    RATIO = "ratio"
    COUNT = "count"
    NUMBER = "number"


_DURATION_FACTORS = {
    "ms": 0.001,
    "s": 1.0,
    "m": 60.0,
    "h": 3600.0,
    "d": 86400.0,
    "w": 604800.0,
}
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d|w)")
_DURATION_WHOLE = re.compile(r"^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d|w))+$")
_PERCENT = re.compile(r"^(-?\d+(?:\.\d+)?)\s*%$")


MAX_DURATION_S = 3650 * 86400.0
"""Ten years: longer than any window, soak or timeout; beyond it a duration is a typo."""
_MAX_DURATION_TEXT = 64


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


def parse_duration(text: str | int | float) -> float:
    """Seconds in ``"1h30m"``, ``"10ms"``, ``"48h"``; a bare number is seconds.

    Finite, not negative, at most ``MAX_DURATION_S``; anything else (an array, a table, a
    date, a 400-digit number) is a ``ValueError`` that says what was expected.
    """
    expected = 'expected a duration like "10ms"'
    if isinstance(text, bool) or not isinstance(text, str | int | float):
        raise ValueError(f"{expected}, got {type(text).__name__} {_shown(text)}")
    if isinstance(text, int | float):
        try:
            seconds = float(text)
        except OverflowError:
            seconds = math.inf
        if not math.isfinite(seconds) or seconds < 0:
            raise ValueError(f"{expected}, got {_shown(text)}")
    else:
        cleaned = text.strip().replace(" ", "")
        if len(cleaned) > _MAX_DURATION_TEXT or not _DURATION_WHOLE.match(cleaned):
            shown = text[:40] if text[:40].isprintable() else repr(text[:40])[1:-1]
            raise ValueError(f'{expected}, got "{shown}"')
        parts = _DURATION_PART.findall(cleaned)
        seconds = sum(float(number) * _DURATION_FACTORS[suffix] for number, suffix in parts)
    if seconds > MAX_DURATION_S:
        raise ValueError(f"{_shown(text)} is longer than 3650d, the longest duration accepted")
    return seconds


def parse_positive_duration(text: str | int | float) -> float:
    """A duration that must be longer than zero (a step, a window, a time limit)."""
    seconds = parse_duration(text)
    if seconds <= 0:
        raise ValueError(f"must be longer than 0s, got {_shown(text)}")
    return seconds


def parse_ratio(text: str | int | float) -> float:
    """A ratio from ``"1%"`` (0.01) or a plain number already a ratio (``0.01``)."""
    expected = 'expected a percentage like "1%" or a ratio like 0.01'
    if isinstance(text, bool) or not isinstance(text, str | int | float):
        raise ValueError(f"{expected}, got {type(text).__name__} {_shown(text)}")
    match = _PERCENT.match(text.strip()) if isinstance(text, str) else None
    try:
        value = float(match.group(1)) / 100.0 if match else float(text)
    except (ValueError, OverflowError):
        raise ValueError(f"{expected}, got {_shown(text)}") from None
    if not math.isfinite(value):
        raise ValueError(f"{expected}, got {_shown(text)}")
    return value


def parse_number(text: str | int | float) -> float:
    """A plain finite number; strings like ``"120"`` are accepted."""
    if isinstance(text, bool) or not isinstance(text, str | int | float):
        raise ValueError(f"expected a number, got {type(text).__name__} {_shown(text)}")
    try:
        value = float(text)
    except (TypeError, ValueError):
        raise ValueError(f"expected a number, got {_shown(text)}") from None
    except OverflowError:
        value = math.inf
    if not math.isfinite(value):
        raise ValueError(f"expected a finite number, got {_shown(text)}")
    return value


_SIZE = re.compile(r"^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|KiB|MiB|GiB)?$")
_SIZE_FACTORS = {None: 1, "B": 1, "KB": 1000, "MB": 1000**2, "GB": 1000**3,
                 "KiB": 1024, "MiB": 1024**2, "GiB": 1024**3}


def parse_size(text: str | int) -> int:
    """Bytes in ``"256MiB"``, ``"4 MB"``, ``"512KiB"``; a bare integer is bytes; at least 1."""
    if isinstance(text, bool) or not isinstance(text, int | str):
        raise ValueError(f'expected a size like "256MiB", got {text!r}')
    match = _SIZE.match(str(text).strip())
    size = int(float(match.group(1)) * _SIZE_FACTORS[match.group(2)]) if match else 0
    if size < 1 or size > 2**50:
        raise ValueError(f'expected a size like "256MiB" (1 byte to 1 PiB), got {text!r}')
    return size


PARSERS = {
    Unit.SECONDS: parse_duration,
    Unit.RATIO: parse_ratio,
    Unit.COUNT: parse_number,
    Unit.NUMBER: parse_number,
}


def parse_quantity(text: str | int | float, unit: Unit) -> float:
    """Read a threshold level in the unit the gate measures."""
    return PARSERS[unit](text)


def format_duration(seconds: float) -> str:
    """Shortest readable duration: ``"9.2ms"``, ``"48h"``, ``"2d3h"``."""
    if seconds < 0:
        return "-" + format_duration(-seconds)
    if seconds < 1:
        return f"{seconds * 1000:.3g}ms"
    if seconds < 60:
        return f"{seconds:.3g}s"
    parts = []
    remaining = round(seconds)
    # soaks and windows are spoken of in hours ("48h", "72h"); days only beyond a week
    units: tuple[tuple[str, int], ...] = (("d", 86400), ("h", 3600), ("m", 60), ("s", 1))
    if seconds < 7 * 86400:
        units = units[1:]
    for suffix, size in units:
        if remaining >= size:
            count, remaining = divmod(remaining, size)
            parts.append(f"{count}{suffix}")
    return "".join(parts[:2])


def format_value(value: float | None, unit: Unit) -> str:
    """A value for people: seconds as durations, ratios as percentages, counts as integers."""
    if value is None:
        return "—"
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    if isinstance(value, float) and math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if unit is Unit.SECONDS:
        return format_duration(value)
    if unit is Unit.RATIO:
        return f"{value * 100:.3g}%"
    if unit is Unit.COUNT and float(value).is_integer():
        return str(int(value))
    return f"{value:.4g}"


def plural(count: float, word: str, words: str | None = None) -> str:
    """``1 day``, ``2 days``, ``0 alerts``; ``words`` for irregular plurals (``series``)."""
    shown = f"{count:,}" if isinstance(count, int) else f"{count:g}"
    return f"{shown} {word if count == 1 else (words or word + 's')}"
