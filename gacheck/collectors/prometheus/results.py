"""What a Prometheus query gives back: series (labels and samples) and the query's record.

Kept apart from the client so that the SLI code, which judges series, need not import the
HTTP client to name their type.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from gacheck.collectors.prometheus.http import PackedSamples
from gacheck.core.models import QueryRecord


@dataclass(frozen=True)
class Series:
    """One series of a result: its labels and its samples (``NaN`` kept as a float).

    Range results hold float64 numpy arrays (what the judging needs, at a fraction of the
    memory of lists); instant results hold lists.
    """

    labels: dict[str, str]
    timestamps: Sequence[float]
    values: Sequence[float]

    def name(self) -> str:
        """``{outcome="deny"}``: how the evidence names a series (the metric name left out)."""
        shown = ", ".join(f'{k}="{v}"' for k, v in sorted(self.labels.items()) if k != "__name__")
        return "{" + shown + "}"


@dataclass(frozen=True)
class QueryResult:
    series: list[Series]
    record: QueryRecord
    warnings: list[str] = field(default_factory=list)


def _samples(raw: list[Any] | PackedSamples) -> tuple[list[float], list[float]]:
    if isinstance(raw, PackedSamples):  # converted by the transport while parsing
        return raw.times, raw.values
    # Timestamps arrive as JSON numbers already; values as strings ("NaN", "+Inf" included),
    # which float() reads. This loop is most of the client's own cost on a large range query.
    # Unpacking refuses a sample that is not a pair; float() refuses a timestamp or value that
    # is not a number (ValueError/TypeError, explained by the caller as a wrongly shaped answer).
    if any(type(p) is not list for p in raw):
        raise TypeError("a sample that is not a [time, value] pair")
    times = [t for t, _ in raw]
    if any(type(t) is not float and type(t) is not int for t in times):  # "0", true, null
        raise TypeError("a sample whose time is not a number")
    return times, [float(v) for _, v in raw]


def parse_result(raw: Any) -> list[Series]:
    """Series from the ``result`` of /api/v1/query or /api/v1/query_range.

    Vectors, matrices and scalars are all returned as series (a scalar has no labels).
    """
    if isinstance(raw, list) and len(raw) == 2 and not isinstance(raw[0], dict):
        times, values = _samples([raw])  # a scalar or string result: [ts, "value"]
        return [Series({}, times, values)]
    series = []
    for item in raw or []:
        metric = item.get("metric", {})
        if not isinstance(metric, dict):  # dict("") or dict([]) would pass for no labels
            raise TypeError("a series whose metric is not an object")
        labels = dict(metric)
        if "values" in item:
            times, values = _samples(item["values"])
        else:
            times, values = _samples([item["value"]])
        series.append(Series(labels, times, values))
    series.sort(key=lambda s: sorted(s.labels.items()))
    return series
