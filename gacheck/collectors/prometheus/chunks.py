"""Where a long range query is cut: step-aligned pieces, never more than the point limit.

All arithmetic is in integer milliseconds, as Prometheus does it: a range query evaluates at
``start, start + step, ...`` up to ``end``, so pieces that start one step after the previous
piece's last instant together evaluate exactly the one-shot query's instants, none twice.

Without a cache the window is cut from its start into pieces of ``chunk`` (a whole number of
steps). With a cache, chunks are fixed in absolute time (multiples of ``chunk`` since the
epoch, like Thanos' query-frontend), so the next evaluation, 5 minutes later, finds the same
chunks; only instants at least ``margin`` before the evaluation instant are ever stored.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Span:
    """Grid instants ``first_ms``, ``first_ms + step_ms``, ... ``last_ms`` (both included)."""

    first_ms: int
    last_ms: int

    def points(self, step_ms: int) -> int:
        return (self.last_ms - self.first_ms) // step_ms + 1


@dataclass(frozen=True)
class Chunk:
    """One absolute chunk of the cache's grid and the part of it the window needs."""

    index: int
    start_ms: int
    """The chunk's first instant (a multiple of its length)."""
    last_ms: int
    """The chunk's last instant: one step before the next chunk starts."""
    needed: Span
    """The window's instants inside this chunk."""


def to_ms(seconds: float) -> int:
    return round(seconds * 1000)


def chunk_points(chunk_s: float, step_ms: int, max_points: int) -> int:
    """Instants per chunk: ``chunk`` in whole steps, at least 1, at most ``max_points``."""
    return max(1, min(max_points, to_ms(chunk_s) // step_ms))


def pieces(window: Span, step_ms: int, per_piece: int) -> list[Span]:
    """The window cut from its start into pieces of at most ``per_piece`` instants."""
    out = []
    first = window.first_ms
    while first <= window.last_ms:
        last = min(window.last_ms, first + (per_piece - 1) * step_ms)
        out.append(Span(first, last))
        first = last + step_ms
    return out


def aligned(window: Span, step_ms: int) -> bool:
    """Whether the window's instants are multiples of the step, as the cache's chunks need."""
    return window.first_ms % step_ms == 0


def chunks(window: Span, step_ms: int, per_chunk: int) -> list[Chunk]:
    """The absolute chunks the (step-aligned) window touches, in time order."""
    length = per_chunk * step_ms
    out = []
    for index in range(window.first_ms // length, window.last_ms // length + 1):
        start = index * length
        last = start + length - step_ms
        needed = Span(max(start, window.first_ms), min(last, window.last_ms))
        out.append(Chunk(index, start, last, needed))
    return out


def last_closed(at_ms: int, margin_ms: int, step_ms: int) -> int:
    """The last grid instant old enough to store: at least ``margin`` before the instant."""
    limit = at_ms - margin_ms
    return limit - limit % step_ms
