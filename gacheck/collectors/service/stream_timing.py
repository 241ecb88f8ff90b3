"""Timing of one streamed answer: first token, gaps between tokens (jitter), total, chunks."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q`` quantile (0..1) with linear interpolation between ranks; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = q * (len(ordered) - 1)
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value * 1000, 2)


@dataclass(frozen=True)
class StreamTiming:
    """Seconds since the request was sent; ``token_times`` are the chunks carrying text."""

    first_chunk_s: float | None
    token_times: tuple[float, ...]
    total_s: float
    chunks: int
    done: bool

    @property
    def ttft_s(self) -> float | None:
        return self.token_times[0] if self.token_times else None

    @property
    def gaps(self) -> list[float]:
        return [b - a for a, b in zip(self.token_times, self.token_times[1:], strict=False)]

    def summary(self) -> dict[str, float | int | bool | None]:
        gaps = self.gaps
        return {
            "ttft_ms": _ms(self.ttft_s),
            "first_chunk_ms": _ms(self.first_chunk_s),
            "gap_p50_ms": _ms(percentile(gaps, 0.50)),
            "gap_p95_ms": _ms(percentile(gaps, 0.95)),
            "gap_max_ms": _ms(max(gaps) if gaps else None),
            "total_ms": _ms(self.total_s),
            "chunks": self.chunks,
            "token_chunks": len(self.token_times),
            "completed": self.done,
        }
