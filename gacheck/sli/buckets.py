"""Which side of a threshold a histogram quantile lies on, read from the buckets alone.

``histogram_quantile`` interpolates linearly inside a bucket, so with a threshold T strictly
between two bucket edges a < T < b its answer near T is a guess. The buckets do tell exactly:

- the q-quantile is ≤ a (so below T) when the share of observations ≤ a is at least q;
- the q-quantile is > b (so above T) when the share of observations ≤ b is below q;
- otherwise it lies somewhere in (a, b]: *indeterminate*, whatever the interpolation says.

Below the lowest edge a is 0 (latencies are not negative: the share ≤ 0 is 0); above the highest
finite edge b is +Inf (the share ≤ +Inf is 1). A threshold on an edge needs none of this: "the
quantile ≤ T" is then exactly "a share ≥ q of observations fell in buckets ≤ T".
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

BELOW, UNKNOWN, ABOVE = -1, 0, 1


@dataclass(frozen=True)
class Bracket:
    """The bucket edges around a threshold that is not itself an edge: lower < T < upper."""

    lower: float
    upper: float
    threshold: float


def bracket(edges: Iterable[float], threshold: float) -> Bracket | None:
    """The edges around ``threshold``; ``None`` when it is an edge or no finite edge is known."""
    finite = sorted({e for e in edges if math.isfinite(e)})
    if not finite:
        return None
    if any(math.isclose(e, threshold, rel_tol=1e-9, abs_tol=1e-12) for e in finite):
        return None
    below = [e for e in finite if e < threshold]
    above = [e for e in finite if e > threshold]
    return Bracket(below[-1] if below else 0.0, above[0] if above else math.inf, threshold)


def sides(share_lower: Any, share_upper: Any, quantile: float) -> Any:
    """Per instant: ``BELOW`` T, ``ABOVE`` T, or ``UNKNOWN`` (also where a share is NaN).

    ``share_lower``/``share_upper``: the share of observations ≤ the lower/upper edge.
    """
    import numpy as np

    lower = np.asarray(share_lower, dtype=float)
    upper = np.asarray(share_upper, dtype=float)
    out = np.full(np.broadcast(lower, upper).shape, UNKNOWN, dtype=np.int8)
    with np.errstate(invalid="ignore"):
        below, above = lower >= quantile, upper < quantile
    out[below & ~above] = BELOW
    out[above & ~below] = ABOVE  # both at once: a broken histogram, which proves nothing
    return out


def describe(b: Bracket, show: Any) -> str:
    """"threshold 50ms is inside bucket 0–100ms; set it to an edge or add a bucket"."""
    upper = "+Inf" if math.isinf(b.upper) else show(b.upper)
    lower = "0" if b.lower == 0 else show(b.lower)
    return (f"threshold {show(b.threshold)} is inside bucket {lower}–{upper}; "
            "set it to an edge or add a bucket")
