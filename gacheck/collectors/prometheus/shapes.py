"""The shape of a ``query_range`` answer, for msgspec to decode and validate in one pass.

Imported lazily (by ``gacheck.collectors.prometheus.fetch``). No ``from __future__ import
annotations`` here: msgspec reads these annotations at run time.

Each series' samples stay ``msgspec.Raw`` (a view of the body, no copy) until that series is
converted: decoding every sample of a 200 MB answer into Python tuples at once took about
135 bytes per sample, over a gigabyte, where one series at a time is a few megabytes.
"""

import msgspec


class MatrixSeries(msgspec.Struct, gc=False):
    metric: dict[str, str]
    values: msgspec.Raw
    """``[[unix seconds, "value"], ...]`` still encoded; ``POINTS`` decodes it."""


class MatrixData(msgspec.Struct, gc=False):
    resultType: str  # noqa: N815 - Prometheus' name
    result: list[MatrixSeries]


class MatrixAnswer(msgspec.Struct, gc=False):
    status: str
    data: MatrixData
    warnings: list[str] = []


DECODER = msgspec.json.Decoder(MatrixAnswer)
POINTS = msgspec.json.Decoder(list[tuple[float, str]])
"""One series' samples; values stay strings ("NaN", "+Inf") for numpy to parse."""
