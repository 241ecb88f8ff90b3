"""The chunks a cache lacks, fetched in as few requests as an uncached query sends.

A window's chunks are fixed in absolute time, so a window touches one chunk more than it has
pieces (24h from 10:17 is five 6h chunks, but four 6h pieces). Asked chunk by chunk, the
evaluation that fills an empty cache sent a quarter more requests than ``--no-cache``, each
decoded and answered on its own. Here consecutive chunks that need fetching form a run, the
run is cut into pieces exactly as an uncached window is, and each piece's answer is split
back into its chunks (views, no copy) as it arrives; a chunk is complete once every piece
overlapping it has arrived.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gacheck.collectors.prometheus.chunks import Span, pieces
from gacheck.collectors.prometheus.fetch import Block, Key, trim


@dataclass(frozen=True)
class Request:
    """One range request: its span, and the plans (by index) whose lacking instants it holds."""

    span: Span
    members: tuple[int, ...]


def requests_for(plans: list[Any], step_ms: int, per_piece: int) -> list[Request]:
    """Runs of plans whose lacking spans follow each other, cut into pieces of at most
    ``per_piece`` instants from each run's start (as ``pieces`` cuts an uncached window)."""
    out: list[Request] = []
    run: list[int] = []
    for index, plan in enumerate(plans):
        span = plan.fetch
        if span is not None and run and plans[run[-1]].fetch.last_ms + step_ms == span.first_ms:
            run.append(index)
            continue
        out += _cut(plans, run, step_ms, per_piece)
        run = [index] if span is not None else []
    return out + _cut(plans, run, step_ms, per_piece)


def _cut(plans: list[Any], run: list[int], step_ms: int, per_piece: int) -> list[Request]:
    if not run:
        return []
    whole = Span(plans[run[0]].fetch.first_ms, plans[run[-1]].fetch.last_ms)
    return [Request(piece, tuple(i for i in run if _overlap(plans[i].fetch, piece) is not None))
            for piece in pieces(whole, step_ms, per_piece)]


def _overlap(a: Span, b: Span) -> Span | None:
    first, last = max(a.first_ms, b.first_ms), min(a.last_ms, b.last_ms)
    return Span(first, last) if first <= last else None


class Assembly:
    """Each plan's lacking span, put together from the pieces that carry it."""

    def __init__(self, plans: list[Any], requests: list[Request]) -> None:
        self.plans = plans
        self.expected: dict[int, int] = {}
        for request in requests:
            for index in request.members:
                self.expected[index] = self.expected.get(index, 0) + 1
        self.parts: dict[int, list[Block]] = {index: [] for index in self.expected}

    def add(self, request: Request, fetched: Block) -> list[tuple[int, Block]]:
        """The plans completed by this piece's answer, each with its whole lacking span.
        The piece's bytes received are counted once, with its first member."""
        done = []
        spans = [_overlap(self.plans[index].fetch, request.span) for index in request.members]
        for n, (index, span, series) in enumerate(
                zip(request.members, spans, split(fetched, spans), strict=True)):
            assert span is not None
            parts = self.parts[index]
            parts.append(Block(span, series, fetched.warnings,
                               fetched.received if n == 0 else 0))
            if len(parts) == self.expected[index]:
                done.append((index, joined(self.parts.pop(index))))
        return done


def split(block: Block, spans: list[Any]) -> list[dict[Key, tuple[Any, Any]]]:
    """The block's series cut into the spans (in time order, not overlapping), as ``trim``
    cuts them one span at a time, with one order check and two searches per series: a piece
    spans two or more chunks, and trimming it once per chunk was most of what filling a cache
    cost beyond an uncached evaluation."""
    import numpy as np

    if len(spans) == 1:
        return [trim(block, spans[0]).series]
    firsts = np.array([span.first_ms for span in spans], dtype=np.int64)
    lasts = np.array([span.last_ms for span in spans], dtype=np.int64)
    out: list[dict[Key, tuple[Any, Any]]] = [{} for _ in spans]
    for key, (times, values) in block.series.items():
        if len(times) > 1 and not bool(np.all(times[1:] > times[:-1])):
            for into, span in zip(out, spans, strict=True):  # out of order: a mask each
                into.update(trim(Block(span, {key: (times, values)}), span).series)
            continue
        begins = np.searchsorted(times, firsts, side="left").tolist()
        ends = np.searchsorted(times, lasts, side="right").tolist()
        for into, begin, end in zip(out, begins, ends, strict=True):
            if end > begin:
                into[key] = (times[begin:end], values[begin:end])
    return out


def joined(parts: list[Block]) -> Block:
    """Blocks of consecutive spans as one block (their series concatenated in time)."""
    import numpy as np

    parts = sorted(parts, key=lambda part: part.span.first_ms)
    if len(parts) == 1:
        return parts[0]
    pieces_of: dict[Key, list[tuple[Any, Any]]] = {}
    warnings: list[str] = []
    for part in parts:
        warnings += [w for w in part.warnings if w not in warnings]
        for key, arrays in part.series.items():
            pieces_of.setdefault(key, []).append(arrays)
    series = {key: (np.concatenate([t for t, _ in arrays]), np.concatenate([v for _, v in arrays]))
              if len(arrays) > 1 else arrays[0] for key, arrays in pieces_of.items()}
    return Block(Span(parts[0].span.first_ms, parts[-1].span.last_ms), series, tuple(warnings),
                 sum(part.received for part in parts))
