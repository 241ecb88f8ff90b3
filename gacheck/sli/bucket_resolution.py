"""Which instants of a quantile series the buckets cannot place on either side of a threshold.

For a threshold strictly inside a bucket (``gacheck.sli.buckets``), the shares of observations at
or below the two edges around it are fetched over the same range and step as the quantile, and
matched to the quantile's series by their labels. An instant is unknown when the shares cannot
tell its side, when a share is missing, or when the shares contradict the interpolated value.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from gacheck.collectors.prometheus.client import client
from gacheck.collectors.prometheus.results import Series
from gacheck.collectors.prometheus.window import RangeWindow
from gacheck.context import Context
from gacheck.core.units import format_duration
from gacheck.sli.breach import Grid, on_grid
from gacheck.sli.buckets import ABOVE, BELOW, Bracket, sides
from gacheck.sli.buckets import describe as describe_bracket
from gacheck.sli.sustained_inputs import Resolution, Resolver
from gacheck.sli.sustained_text import plain


def resolver(ctx: Context, found: Bracket, labels: dict[float, str], upper: bool,
             quantile: float, share_query: Callable[[str], str]) -> Resolver:
    """Fetches the shares at the two edges around the threshold over the gate's window.

    ``labels`` maps each edge to its ``le`` label as stored; ``share_query(le)`` writes the
    PromQL of the share of observations ≤ that edge, one series per series of the quantile.
    """

    def resolve(window: RangeWindow, grid: Grid) -> Resolution:
        import numpy as np

        prom = client(ctx)
        records = []
        shares: dict[str, dict[frozenset[tuple[str, str]], Any]] = {}
        for side, edge in (("lower", found.lower), ("upper", found.upper)):
            if edge not in labels or math.isinf(edge):  # 0 below the lowest edge, +Inf above
                continue  # the highest finite one: their shares are 0 and 1 by definition
            answer = prom.range(share_query(labels[edge]), window.start, window.end,
                                window.step_s)
            records.append(answer.record)
            shares[side] = {key(s): on_grid(grid, s.timestamps, s.values)[0]
                            for s in answer.series}
        constant = {"lower": 0.0, "upper": 1.0}

        def unknown(series: Series) -> Any:
            def share(side: str) -> Any:
                if side not in shares:
                    return np.full(grid.count, constant[side])
                return shares[side].get(key(series), np.full(grid.count, np.nan))

            side = sides(share("lower"), share("upper"), quantile)
            values, _ = on_grid(grid, series.timestamps, series.values)
            with np.errstate(invalid="ignore"):
                told = np.where(values > found.threshold, ABOVE, BELOW)
            return side != told  # unknown, or the buckets contradict the interpolation

        return Resolution(
            note=describe_bracket(found, format_duration), unknown=unknown,
            beyond=found.upper if upper else found.lower, records=records,
            details={"lower_edge": plain(found.lower), "upper_edge": plain(found.upper),
                     "threshold": found.threshold, "quantile": quantile})

    return resolve


def key(series: Series) -> frozenset[tuple[str, str]]:
    return frozenset((k, v) for k, v in series.labels.items() if k != "__name__")
