"""Raw samples over a window (``selector[48h]`` at ``--at``) in cached pieces.

``soak_duration`` (restarts: ``process_start_time_seconds[48h]``) and ``alerts``
(``ALERTS[48h]``) read every stored sample of their window. Asked as one instant query, that is
the largest answer of a ``--wait-until`` round, 5 minutes after the previous one with the same
samples. Here the window is cut into the absolute chunks of the range cache (multiples of
``[prometheus] chunk`` since the epoch, in milliseconds); each piece is an instant query at the
piece's last millisecond whose range reaches one millisecond before its first, trimmed to the
piece (Prometheus 2 includes a sample at a range's left end, Prometheus 3 does not: the
trimmed pieces are the same on both). Closed chunks are stored as range chunks are
(``cache``); the next round asks only for the samples after the stored ones.

Without a cache the window is one instant query, ``selector[48h]`` at ``--at``. Either way
each answer is decoded into arrays (``decode_matrix``), bounded by its range: a series has
at most one sample per millisecond of it, or the answer is refused before its arrays are
allocated.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from gacheck.collectors.prometheus.cache import CacheScope, ChunkCache
from gacheck.collectors.prometheus.chunks import Span, chunks, last_closed, to_ms
from gacheck.collectors.prometheus.fetch import Block, Key, trim
from gacheck.collectors.prometheus.fill import Assembly, requests_for
from gacheck.collectors.prometheus.range_query import (
    Merged,
    Task,
    chunk_record,
    complete_chunk,
    concurrently,
    plan_chunk,
    pool_of,
)

RAW = 1
"""The grid of raw samples: every millisecond (a "step" of 1 ms for the chunk arithmetic)."""


def cache_query(selector: str) -> str:
    """The cache key's query: never the text of a range query (whose step is at least 1 s)."""
    return f"raw samples: {selector}"


def run_samples(client: Any, selector: str, start: datetime, end: datetime,
                cache: ChunkCache | None, scope: CacheScope | None, margin_s: float,
                written: str | None = None) -> Merged:
    """The window's raw samples: in cached pieces, or without a cache as one instant query
    over the range ``written`` (``48h``) at ``end``, as the audit records it."""
    window = Span(to_ms(start.timestamp()), to_ms(end.timestamp()))
    if cache is None or scope is None:
        body = client.fetch_samples_body(selector, window, written)
        block = trim(decode(client, body, window, selector), window)
        del body
        return _joined([block], ["prometheus"], [Task(window)])
    per_chunk = max(1, to_ms(client.settings.chunk))
    tasks = [Task(c.needed, c) for c in chunks(window, RAW, per_chunk)]
    closed = last_closed(window.last_ms, to_ms(margin_s), RAW)
    key_query = cache_query(selector)
    plans = [plan_chunk(cache, scope, key_query, RAW, task, closed) for task in tasks]
    blocks: list[Block | None] = [plan.block for plan in plans]
    # what the cache lacks, one request per run of chunks, as the uncached read is (``fill``)
    requests = requests_for(plans, RAW, window.points(RAW))
    assembly = Assembly(plans, requests)

    def fetch(index: int) -> bytes:
        return client.fetch_samples_body(selector, requests[index].span)

    def finish(index: int, body: bytes) -> None:
        request = requests[index]
        fetched = trim(decode(client, body, request.span, selector), request.span)
        for member, block in assembly.add(request, fetched):
            done = complete_chunk(cache, plans[member], block, closed)
            blocks[member] = done.block
            plans[member] = done

    concurrently(fetch, finish, list(range(len(requests))), client.settings.max_concurrency,
                 pool_of(client))
    return _joined(blocks, [plan.source for plan in plans], tasks)


def decode(client: Any, body: bytes, span: Span, selector: str) -> Any:
    """The raw samples of ``span`` asked as ``selector[N ms]`` (``fetch_samples``): at most
    one per millisecond of the range, whose left end Prometheus 2 includes (one more)."""
    return client.decode_body(body, Span(span.first_ms - 1, span.last_ms), selector, RAW)


def _joined(blocks: list[Block | None], sources: list[str], tasks: list[Task]) -> Merged:
    """Each series' samples of every piece, in time order (pieces do not overlap). The
    blocks are emptied as their series are taken, and a series of one piece is not copied,
    so that millions of samples are held once, plus their timestamps in seconds."""
    import numpy as np

    parts: dict[Key, list[tuple[Any, Any]]] = {}
    warnings: list[str] = []
    received = 0
    for block in blocks:
        assert block is not None
        warnings += [w for w in block.warnings if w not in warnings]
        received += block.received
        for key, pair in block.series.items():
            parts.setdefault(key, []).append(pair)
        block.series.clear()
    series = []
    for key in sorted(parts):
        pairs = parts.pop(key)
        if len(pairs) == 1:
            (times, values), = pairs
        else:
            times = np.concatenate([t for t, _ in pairs])
            values = np.concatenate([v for _, v in pairs])
        del pairs
        series.append((dict(key), times / 1000.0, values))
    records = [chunk_record(t.span, s) for t, s in zip(tasks, sources, strict=True)]
    return Merged(series, warnings, records, received)
