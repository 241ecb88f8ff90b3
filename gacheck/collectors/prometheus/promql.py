"""Small PromQL writing helpers shared by the kinds that build queries for their users."""

from __future__ import annotations

import re

LABEL = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")


def duration(seconds: float) -> str:
    """A PromQL duration: ``5m``, ``48h``, ``90s``, ``250ms``."""
    millis = round(seconds * 1000)
    for suffix, size in (("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000)):
        if millis % size == 0:
            return f"{millis // size}{suffix}"
    return f"{millis}ms"


def step_range(step_s: float) -> str:
    """The range that looks back exactly one step, its start left out: ``59999ms`` for 1m.

    Prometheus 2.x range selectors include a sample lying exactly on their left edge (3.x does
    not); one millisecond less makes both count each scrape in one step only."""
    return duration(max(0.001, step_s - 0.001))


def summed(expression: str, by: list[str]) -> str:
    """``sum(expr)`` or ``sum by (a, b) (expr)``."""
    return f"sum by ({', '.join(by)}) ({expression})" if by else f"sum({expression})"


def check_labels(labels: list[str]) -> list[str]:
    for label in labels:
        if not LABEL.match(label):
            raise ValueError(f"not a Prometheus label name: {label!r}")
    return labels


def with_matchers(metric: str, matchers: str) -> str:
    """``metric{matchers}``; ``matchers`` may be given with or without braces."""
    inner = matchers.strip()
    if inner.startswith("{") and inner.endswith("}"):
        inner = inner[1:-1].strip()
    return f"{metric}{{{inner}}}" if inner else metric
