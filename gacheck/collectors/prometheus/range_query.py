"""A range query as pieces: fetched with bounded concurrency, cached when closed, merged.

``PrometheusClient.range`` delegates here. The window is cut into step-aligned pieces
(``gacheck.collectors.prometheus.chunks``); at most ``[prometheus] max_concurrency`` requests
of the whole evaluation are in flight at once, and each piece becomes numpy arrays as it
arrives, so memory holds one decoded piece per request in flight, not the window's JSON.
The merged series equal the one-shot query's: each instant is evaluated on its own, and the
pieces' instants are exactly the window's, none twice.
"""

from __future__ import annotations

import queue
import threading
from collections import deque
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gacheck.collectors.prometheus.cache import CacheScope, ChunkCache
from gacheck.collectors.prometheus.chunks import (
    Chunk,
    Span,
    aligned,
    chunk_points,
    chunks,
    last_closed,
    pieces,
    to_ms,
)
from gacheck.collectors.prometheus.fetch import Block, Key, trim
from gacheck.collectors.prometheus.fill import Assembly, requests_for
from gacheck.collectors.prometheus.on_grid import OnGrid
from gacheck.core import deadline
from gacheck.core.models import ChunkRecord
from gacheck.core.workpool import WorkPool


@dataclass(frozen=True)
class Task:
    span: Span
    """The window's instants this task delivers."""
    chunk: Chunk | None = None
    """The absolute chunk it belongs to, when the cache is on."""


@dataclass(frozen=True)
class Merged:
    series: list[tuple[dict[str, str], Any, Any]]
    """Label set, timestamps (float seconds) and values per series, in label order."""
    warnings: list[str]
    chunks: list[ChunkRecord]
    received: int


def run_range(client: Any, promql: str, start: datetime, end: datetime, step_s: float,
              cache: ChunkCache | None, scope: CacheScope | None, margin_s: float) -> Merged:
    step_ms = max(1, to_ms(step_s))
    first = to_ms(start.timestamp())
    last = first + (to_ms(end.timestamp()) - first) // step_ms * step_ms
    window = Span(first, last)
    per_piece = chunk_points(client.settings.chunk, step_ms, client.settings.max_points)
    if cache is None or scope is None or not aligned(window, step_ms):
        return _uncached(client, promql, window, step_ms, per_piece)
    tasks = [Task(c.needed, c) for c in chunks(window, step_ms, per_piece)]
    closed = last_closed(to_ms(end.timestamp()), to_ms(margin_s), step_ms)
    grid = OnGrid(window, step_ms)
    plans = [plan_chunk(cache, scope, promql, step_ms, task, closed) for task in tasks]
    for plan in plans:
        if plan.block is not None:
            grid.add(plan.block)
    # what the cache lacks, in the pieces an uncached query sends (``fill``)
    requests = requests_for(plans, step_ms, per_piece)
    assembly = Assembly(plans, requests)

    def fetch(index: int) -> bytes:
        return client.fetch_body(promql, requests[index].span, step_ms)

    def finish(index: int, body: bytes) -> None:
        request = requests[index]
        fetched = client.decode_body(body, request.span, promql, step_ms)
        for member, block in assembly.add(request, fetched):
            done = complete_chunk(cache, plans[member], block, closed)
            assert done.block is not None
            grid.add(done.block)
            plans[member] = done

    concurrently(fetch, finish, list(range(len(requests))), client.settings.max_concurrency,
                 pool_of(client))
    return _merge([(p.block, p.source) for p in plans if p.block is not None], tasks, grid)


def pool_of(client: Any) -> WorkPool | None:
    """The client's threads for pieces (``PrometheusClient.fetch_pool``), when it has them."""
    return getattr(client, "fetch_pool", None)


def _uncached(client: Any, promql: str, window: Span, step_ms: int, per_piece: int) -> Merged:
    """Pieces of ``chunk`` from the window's start, all asked at once (at most
    ``max_concurrency`` of the evaluation in flight): no piece waits for another's answer.
    (Sizing later pieces from the first one's series count cost a round trip per query.)"""
    spans = pieces(window, step_ms, per_piece)
    grid = OnGrid(window, step_ms)
    blocks: list[Any] = [None] * len(spans)

    def fetch(index: int) -> bytes:
        return client.fetch_body(promql, spans[index], step_ms)

    def finish(index: int, body: bytes) -> None:
        blocks[index] = grid.add(client.decode_body(body, spans[index], promql, step_ms))

    concurrently(fetch, finish, list(range(len(spans))), client.settings.max_concurrency,
                 pool_of(client))
    return _merge([(b, "prometheus") for b in blocks], [Task(s) for s in spans], grid)


@dataclass
class _Plan:
    """One chunk through the cache: what is stored, what to fetch, then the result."""

    task: Task
    key: str
    stored: Block | None
    fetch: Span | None
    block: Block | None = None
    source: str = "cache"


def plan_chunk(cache: ChunkCache, scope: CacheScope, promql: str, step_ms: int, task: Task,
          closed: int) -> _Plan:
    chunk = task.chunk
    assert chunk is not None
    key = cache.key(scope, promql, step_ms, chunk)
    stored = cache.read(key, chunk, step_ms)
    if stored is not None and stored.span.first_ms > task.span.first_ms:
        stored = None  # stored for a window starting later: this one needs instants before it
    covered = stored.span.last_ms if stored is not None else None
    if stored is not None and covered is not None and covered >= task.span.last_ms:
        return _Plan(task, key, None, None, trim(stored, task.span), "cache")
    # Only what the window needs: the window moving forward never needs the chunk's instants
    # before its start, so a first evaluation asks for no more than an uncached one.
    fetch_from = task.span.first_ms if covered is None else covered + step_ms
    return _Plan(task, key, stored, Span(fetch_from, task.span.last_ms))


def complete_chunk(cache: ChunkCache, plan: _Plan, fetched: Block, closed: int) -> _Plan:
    chunk, stored = plan.task.chunk, plan.stored
    assert chunk is not None
    covered = stored.span.last_ms if stored is not None else None
    whole = _join(stored, fetched) if stored is not None else fetched
    keep = min(closed, plan.task.span.last_ms)
    first = whole.span.first_ms
    if not fetched.warnings and keep >= first and (covered is None or keep > covered):
        cache.store(plan.key, trim(whole, Span(first, keep)))
    source = "cache+prometheus" if stored is not None else "prometheus"
    block = Block(whole.span, trim(whole, plan.task.span).series, fetched.warnings,
                  fetched.received)
    return _Plan(plan.task, plan.key, None, None, block, source)


def _join(head: Block, tail: Block) -> Block:
    import numpy as np

    series: dict[Key, tuple[Any, Any]] = dict(head.series)
    for key, (times, values) in tail.series.items():
        if key in series:
            old_t, old_v = series[key]
            series[key] = (np.concatenate([old_t, times]), np.concatenate([old_v, values]))
        else:
            series[key] = (times, values)
    return Block(Span(head.span.first_ms, tail.span.last_ms), series, tail.warnings,
                 tail.received)


def concurrently(fetch: Any, finish: Any, indexes: list[int], limit: int,
                 pool: WorkPool | None = None) -> None:
    """``fetch(i)`` (the network) on ``pool``, the client's threads shared by every gate of the
    evaluation (at most ``[prometheus] max_concurrency`` requests in flight in all);
    ``finish(i, body)`` (decoding, the cache) on the calling thread as bodies arrive. Decoding
    on one thread keeps the arrays in one allocator arena, where the merge reuses the pieces'
    memory. At most ``limit`` of this query's pieces are handed to the pool at a time, the next
    one as a body is finished, so a query holds at most ``limit`` bodies however slow its
    decoding, and a query of many pieces does not keep the others waiting behind all of them.
    The first error (in piece order) is raised once every piece handed out came back; the
    pieces not handed out yet are not fetched."""
    if not indexes:
        return
    if pool is None:
        pool = WorkPool(limit, name="gacheck-range")
    todo = deque(indexes)
    arrived: queue.SimpleQueue[tuple[int, Any]] = queue.SimpleQueue()
    failed = threading.Event()
    gate_limit = deadline.current()  # the pool's threads work for the caller's gate

    def piece(index: int) -> Any:
        def run() -> None:
            if failed.is_set():  # another piece failed: the query fails anyway
                arrived.put((index, _SKIPPED))
                return
            try:
                with deadline.bound(gate_limit):  # retries stop at the gate's time limit
                    arrived.put((index, fetch(index)))
            except BaseException as exc:  # re-raised in the gate's thread below
                failed.set()
                arrived.put((index, exc))
        return run

    out = 0
    for _ in range(min(max(1, limit), len(todo))):
        pool.submit(piece(todo.popleft()))
        out += 1
    errors: dict[int, BaseException] = {}
    while out:
        index, outcome = arrived.get()
        out -= 1
        if isinstance(outcome, BaseException):
            errors[index] = outcome
        elif outcome is not _SKIPPED and not errors:
            try:
                finish(index, outcome)
            except BaseException as exc:
                failed.set()
                errors[index] = exc
        del outcome
        if todo and not failed.is_set():
            pool.submit(piece(todo.popleft()))
            out += 1
    if errors:
        raise errors[min(errors)]


_SKIPPED = object()


def _merge(done: list[tuple[Block, str]], tasks: list[Task], grid: OnGrid) -> Merged:
    warnings: list[str] = []
    records = []
    received = 0
    for (block, source), task in zip(done, tasks, strict=True):
        warnings += [w for w in block.warnings if w not in warnings]
        received += block.received
        records.append(chunk_record(task.span, source))
    return Merged(grid.series(), warnings, records, received)


def chunk_record(span: Span, source: str) -> ChunkRecord:
    """The evidence of one piece: its first and last instants, and where it came from."""
    return ChunkRecord(start=instant_of(span.first_ms), end=instant_of(span.last_ms),
                       source=source)


def instant_of(ms: int) -> datetime:
    from datetime import UTC

    return datetime.fromtimestamp(ms / 1000, UTC)
