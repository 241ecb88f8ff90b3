"""The two-sided Mann-Whitney U test, from scipy (the ``stats`` extra), imported when used.

scipy is a large import: nothing at module level here imports it, so ``gacheck --help`` and
configs without a ``compare`` gate never pay for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from gacheck.core.errors import CollectorError


@dataclass(frozen=True)
class UTest:
    """The test's outcome for ``candidate`` against ``baseline``.

    ``u`` is the candidate's U statistic; ``superiority`` is U / (n1 * n2), the probability
    that a random candidate sample is larger than a random baseline one (ties count half);
    ``rank_biserial`` is 2 * superiority - 1, from -1 (all smaller) to +1 (all larger).
    """

    u: float
    p: float
    candidate_n: int
    baseline_n: int

    @property
    def superiority(self) -> float:
        return self.u / (self.candidate_n * self.baseline_n)

    @property
    def rank_biserial(self) -> float:
        return 2.0 * self.superiority - 1.0


def mann_whitney(candidate: Sequence[float], baseline: Sequence[float]) -> UTest:
    """Two-sided Mann-Whitney U (scipy's asymptotic method with tie and continuity correction
    for large samples, exact for small ones without ties)."""
    if not candidate or not baseline:
        raise ValueError("the Mann-Whitney test needs samples on both sides")
    try:
        import numpy as np
        from scipy.stats import mannwhitneyu
    except ImportError:
        raise CollectorError(
            "the compare gate's significance test needs scipy: pip install 'gacheck[stats]'"
        ) from None
    result = mannwhitneyu(np.asarray(candidate, dtype=float), np.asarray(baseline, dtype=float),
                          alternative="two-sided")
    p = float(result.pvalue)
    # scipy answers NaN only when the samples cannot be ranked apart at all: nothing to detect
    return UTest(float(result.statistic), p if p == p else 1.0, len(candidate), len(baseline))
