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


def parse_duration(text: str | int | float) -> float:
    """Seconds in ``"1h30m"``, ``"10ms"``, ``"48h"``; a bare number is seconds."""
    if isinstance(text, bool):
        raise ValueError(f'expected a duration like "10ms", got {text!r}')
    if isinstance(text, int | float):
        if not math.isfinite(text) or text < 0:
            raise ValueError(f'expected a duration like "10ms", got {text!r}')
        return float(text)
    cleaned = text.strip().replace(" ", "")
    if not _DURATION_WHOLE.match(cleaned):
        raise ValueError(f'expected a duration like "10ms", got "{text}"')
    parts = _DURATION_PART.findall(cleaned)
    return sum(float(number) * _DURATION_FACTORS[suffix] for number, suffix in parts)


def parse_ratio(text: str | int | float) -> float:
    """A ratio from ``"1%"`` (0.01) or a plain number already a ratio (``0.01``)."""
    if isinstance(text, bool):
        raise ValueError(f'expected a percentage like "1%" or a ratio like 0.01, got {text!r}')
    if isinstance(text, int | float):
        if not math.isfinite(text):
            raise ValueError(f'expected a percentage like "1%" or a ratio like 0.01, got {text!r}')
        return float(text)
    match = _PERCENT.match(text.strip())
    if match:
        return float(match.group(1)) / 100.0
    try:
        return float(text)
    except ValueError:
        raise ValueError(
            f'expected a percentage like "1%" or a ratio like 0.01, got "{text}"'
        ) from None


def parse_number(text: str | int | float) -> float:
    """A plain finite number; strings like ``"120"`` are accepted."""
    if isinstance(text, bool):
        raise ValueError(f"expected a number, got {text!r}")
    try:
        value = float(text)
    except (TypeError, ValueError):
        raise ValueError(f'expected a number, got "{text}"') from None
    if not math.isfinite(value):
        raise ValueError(f"expected a finite number, got {text!r}")
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
    units = (("d", 86400), ("h", 3600), ("m", 60), ("s", 1))
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
