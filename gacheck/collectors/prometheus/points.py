"""One series' samples, from their still-encoded JSON to two arrays, a piece at a time.

``[[t,"v"],[t,"v"],...]`` decoded whole is a Python tuple, float and str per sample: about
135 bytes each, 1.3 GB for one series of 10 million samples. Here the bytes are cut after a
``],[`` every ``PIECE`` bytes and each piece decoded alone into slices of arrays sized
beforehand (an upper bound: every sample has a ``[``), so a series is its arrays plus one
piece's objects. A ``],[`` inside a value string cuts a piece where the JSON does not end:
that piece fails to decode, and the answer is refused as malformed (never misread).

A range query's series has at most one sample per instant asked: with ``limit`` (the piece's
instants), a series with more is refused before its arrays are allocated or its samples
decoded (``MoreSamplesThanInstants``), so an impossible answer costs no memory beyond its body.
"""

from __future__ import annotations

from typing import Any

PIECE = 1024 * 1024


class MoreSamplesThanInstants(ValueError):
    """A range query's series with more samples than the query has instants: no Prometheus
    answers that (one sample per instant of ``[start, end]`` at most)."""

    def __init__(self, count: int, limit: int) -> None:
        super().__init__(f"a series has more samples ({count:,}) than the query's {limit:,} "
                         f"instant{'s' if limit != 1 else ''}")


def decode_points(raw: Any, limit: int | None = None) -> tuple[Any, Any]:
    """(timestamps in integer ms, values as float64) of one series' ``values`` (bytes, or a
    ``msgspec.Raw`` view of the body: never copied whole); ``ValueError`` (or msgspec's
    ``DecodeError``) when they are not a list of ``[number, "string"]``;
    ``MoreSamplesThanInstants`` when there are more than ``limit`` (``None``: raw samples,
    no bound but the body's size)."""
    import numpy as np

    from gacheck.collectors.prometheus.shapes import POINTS

    data = memoryview(raw).cast("B")
    if len(data) <= PIECE:
        points = POINTS.decode(data)
        if limit is not None and len(points) > limit:
            raise MoreSamplesThanInstants(len(points), limit)
        seconds = np.fromiter((p[0] for p in points), np.float64, len(points))
        return (_ms(seconds), np.array([p[1] for p in points], dtype=np.float64))
    if data[0] != ord("[") or data[-1] != ord("]"):  # Prometheus writes no blanks here
        raise ValueError("not a list of samples")
    bound = max(0, sum(bytes(data[i:i + PIECE]).count(b"[")
                       for i in range(0, len(data), PIECE)) - 1)
    # Exactly the samples of a well-formed list (a "[" inside a value string is no number,
    # refused below anyway), so the bound is checked before anything is allocated.
    if limit is not None and bound > limit:
        raise MoreSamplesThanInstants(bound, limit)
    times, values = np.empty(bound, np.int64), np.empty(bound, np.float64)
    filled, at, end = 0, 1, len(data) - 1
    while at < end:
        stop = _cut(data, min(at + PIECE, end), end)
        points = POINTS.decode(b"[" + bytes(data[at:stop]) + b"]")
        if filled + len(points) > bound:
            raise ValueError("more samples than brackets")
        times[filled:filled + len(points)] = _ms(np.array([p[0] for p in points], np.float64))
        values[filled:filled + len(points)] = np.array([p[1] for p in points], np.float64)
        filled += len(points)
        del points
        at = stop + 1
    if filled < bound:  # a "[" inside a value string: not a number, so never well formed
        raise ValueError("fewer samples than brackets")
    return times, values


def _ms(seconds: Any) -> Any:
    import numpy as np

    seconds *= 1000
    return np.rint(seconds, out=seconds).astype(np.int64)


def _cut(data: memoryview, start: int, end: int) -> int:
    """Where the piece starting before ``start`` ends: just after the ``]`` of the first
    ``],[`` at or after ``start``, or ``end``."""
    while start < end:
        window = bytes(data[start:min(start + 65536, end) + 2])
        found = window.find(b"],[")
        if found >= 0:
            return start + found + 1
        start += 65536
    return end
