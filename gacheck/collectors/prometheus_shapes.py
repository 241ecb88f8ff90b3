"""The shape of a ``query_range`` answer, for msgspec to decode and validate in one pass.

Imported lazily (by ``gacheck.collectors.prometheus_fetch``). No ``from __future__ import
annotations`` here: msgspec reads these annotations at run time.
"""

import msgspec


class MatrixSeries(msgspec.Struct, gc=False):
    metric: dict[str, str]
    values: list[tuple[float, str]]
    """``[unix seconds, "value"]`` pairs; values stay strings ("NaN", "+Inf") for numpy."""


class MatrixData(msgspec.Struct, gc=False):
    resultType: str  # noqa: N815 - Prometheus' name
    result: list[MatrixSeries]


class MatrixAnswer(msgspec.Struct, gc=False):
    status: str
    data: MatrixData
    warnings: list[str] = []


DECODER = msgspec.json.Decoder(MatrixAnswer)
