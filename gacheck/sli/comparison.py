"""Candidate against baseline: medians, the relative change, the U test, and the judgement.

A change is a regression only when it is beyond the tolerance (``max_increase`` above,
``max_decrease`` below) and the Mann-Whitney test finds it significant, as Kayenta judges.
Beyond the tolerance but not significant warns: the medians moved, the samples cannot tell.
With one baseline value (an earlier audit) there is nothing to test: the tolerance decides.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from gacheck.core.models import Status
from gacheck.history.series import sparkline
from gacheck.sli.stats import UTest, mann_whitney

SPARK_WIDTH = 48


@dataclass(frozen=True)
class Limits:
    max_increase: float | None
    max_decrease: float | None
    significance: float


@dataclass(frozen=True)
class Judgement:
    status: Status
    change: float
    candidate_median: float
    baseline_median: float
    test: UTest | None
    beyond: str | None  # "above +10%" / "below -5%" when beyond the tolerance
    significance: float = 0.05

    @property
    def significant(self) -> bool | None:
        """Whether the U test rejects "same distribution"; ``None`` without a test."""
        return None if self.test is None else self.test.p < self.significance


def relative_change(candidate: float, baseline: float) -> float:
    """candidate / baseline - 1; ``ValueError`` when the baseline is 0 (undefined)."""
    if baseline == 0:
        if candidate == 0:
            return 0.0
        raise ValueError("the baseline median is 0: a relative change is undefined")
    return candidate / baseline - 1.0


def beyond_tolerance(change: float, limits: Limits) -> str | None:
    if limits.max_increase is not None and change > limits.max_increase:
        return f"above +{limits.max_increase:.3g}"
    if limits.max_decrease is not None and change < -limits.max_decrease:
        return f"below -{limits.max_decrease:.3g}"
    return None


def judge_change(candidate: Sequence[float], baseline: Sequence[float] | float,
                 limits: Limits) -> Judgement:
    """The judgement of two sample sets (or of samples against one earlier value)."""
    candidate_median = statistics.median(candidate)
    if isinstance(baseline, int | float):
        baseline_median, test = float(baseline), None
    else:
        baseline_median = statistics.median(baseline)
        test = mann_whitney(candidate, baseline)
    change = relative_change(candidate_median, baseline_median)
    beyond = beyond_tolerance(change, limits)
    if beyond is None:
        status = Status.PASS
    elif test is None or test.p < limits.significance:
        status = Status.FAIL
    else:
        status = Status.WARN
    return Judgement(status, change, candidate_median, baseline_median, test, beyond,
                     limits.significance)


def two_line_sparkline(candidate: Sequence[float], baseline: Sequence[float],
                       width: int = SPARK_WIDTH) -> list[str]:
    """Both series, each averaged into ``width`` columns, drawn on one shared scale."""
    first, second = _columns(candidate, width), _columns(baseline, width)
    line = sparkline(first + second)
    return [line[: len(first)], line[len(first):]]


def _columns(values: Sequence[float], width: int) -> list[float]:
    if not values:
        return []
    size = max(1, math.ceil(len(values) / width))
    return [math.fsum(values[start:start + size]) / len(values[start:start + size])
            for start in range(0, len(values), size)]  # the samples are finite already
