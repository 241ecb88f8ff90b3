"""A range query as pieces: fetched with bounded concurrency, cached when closed, merged.

``PrometheusClient.range`` delegates here. The window is cut into step-aligned pieces
(``gacheck.collectors.prometheus_chunks``); at most ``[prometheus] max_concurrency`` requests
of the whole evaluation are in flight at once, and each piece becomes numpy arrays as it
arrives, so memory holds one decoded piece per request in flight, not the window's JSON.
The merged series equal the one-shot query's: each instant is evaluated on its own, and the
pieces' instants are exactly the window's, none twice.
"""

from __future__ import annotations

import queue
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gacheck.collectors.prometheus_cache import CacheScope, ChunkCache
from gacheck.collectors.prometheus_chunks import (
    Chunk,
    Span,
    aligned,
    chunk_points,
    chunks,
    last_closed,
    pieces,
    to_ms,
)
from gacheck.collectors.prometheus_fetch import Block, Key
from gacheck.models import ChunkRecord

POINTS_PER_REQUEST = 250_000
"""Series x instants one request may bring after the first piece (about 9 MiB of JSON)."""


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
    limit = client.settings.max_concurrency
    if cache is None or scope is None or not aligned(window, step_ms):
        return _uncached(client, promql, window, step_ms, per_piece)
    tasks = [Task(c.needed, c) for c in chunks(window, step_ms, per_piece)]
    closed = last_closed(to_ms(end.timestamp()), to_ms(margin_s), step_ms)

    def one(task: Task) -> tuple[Block, str]:
        return _through_cache(client, cache, scope, promql, step_ms, task, closed)

    return _merge(_concurrently(one, tasks, limit), tasks)


def _uncached(client: Any, promql: str, window: Span, step_ms: int, per_piece: int) -> Merged:
    """The first piece is ``chunk`` long; the rest are as long as ``POINTS_PER_REQUEST``
    allows for the series count it showed (at most ``max_points``): a query of a few series
    takes a few requests, one of a thousand series stays small per request."""
    head = pieces(window, step_ms, per_piece)[0]
    first = client.fetch_piece(promql, head, step_ms)
    if head.last_ms == window.last_ms:
        return _merge([(first, "prometheus")], [Task(head)])
    fits = POINTS_PER_REQUEST // max(1, len(first.series))
    grown = max(1, min(client.settings.max_points, fits))
    rest = [Task(span) for span in
            pieces(Span(head.last_ms + step_ms, window.last_ms), step_ms, grown)]

    def one(task: Task) -> tuple[Block, str]:
        return client.fetch_piece(promql, task.span, step_ms), "prometheus"

    done = _concurrently(one, rest, client.settings.max_concurrency)
    return _merge([(first, "prometheus"), *done], [Task(head), *rest])


def _through_cache(client: Any, cache: ChunkCache, scope: CacheScope, promql: str,
                   step_ms: int, task: Task, closed: int) -> tuple[Block, str]:
    chunk = task.chunk
    assert chunk is not None
    key = cache.key(scope, promql, step_ms, chunk)
    stored = cache.read(key, chunk, step_ms)
    covered = stored.span.last_ms if stored is not None else None
    if stored is not None and covered is not None and covered >= task.span.last_ms:
        return _trim(stored, task.span), "cache"
    if covered is not None:
        fetch_from = covered + step_ms
    elif chunk.start_ms <= closed:
        fetch_from = chunk.start_ms  # the whole closed head, so the next window finds it
    else:
        fetch_from = task.span.first_ms
    fetched = client.fetch_piece(promql, Span(fetch_from, task.span.last_ms), step_ms)
    whole = _join(stored, fetched) if stored is not None else fetched
    keep = min(closed, task.span.last_ms)
    if not fetched.warnings and keep >= chunk.start_ms and (covered is None or keep > covered):
        cache.write(key, _trim(whole, Span(chunk.start_ms, keep)))
    source = "cache+prometheus" if stored is not None else "prometheus"
    return Block(whole.span, _trim(whole, task.span).series, fetched.warnings,
                 fetched.received), source


def _trim(block: Block, span: Span) -> Block:
    series = {}
    for key, (times, values) in block.series.items():
        if len(times) and times[0] >= span.first_ms and times[-1] <= span.last_ms:
            series[key] = (times, values)
            continue
        inside = (times >= span.first_ms) & (times <= span.last_ms)
        if inside.any():
            series[key] = (times[inside], values[inside])
    return Block(span, series, block.warnings, block.received, block.cached)


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


def _concurrently(one: Any, tasks: list[Task], limit: int) -> list[tuple[Block, str]]:
    """``one(task)`` for every task on at most ``limit`` daemon threads; the first error
    (in time order of the tasks) is raised after the others stop."""
    if len(tasks) == 1:
        return [one(tasks[0])]
    results: list[Any] = [None] * len(tasks)
    todo: queue.SimpleQueue[int] = queue.SimpleQueue()
    for index in range(len(tasks)):
        todo.put(index)
    failed = threading.Event()

    def work() -> None:
        while not failed.is_set():
            try:
                index = todo.get_nowait()
            except queue.Empty:
                return
            try:
                results[index] = one(tasks[index])
            except BaseException as exc:  # re-raised in the gate's thread below
                results[index] = exc
                failed.set()

    threads = [threading.Thread(target=work, daemon=True, name="gacheck-range")
               for _ in range(min(limit, len(tasks)))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for outcome in results:
        if isinstance(outcome, BaseException):
            raise outcome
    return results


def _merge(done: list[tuple[Block, str]], tasks: list[Task]) -> Merged:
    import numpy as np

    parts: dict[Key, tuple[list[Any], list[Any]]] = {}
    warnings: list[str] = []
    records = []
    received = 0
    for (block, source), task in zip(done, tasks, strict=True):
        for key, (times, values) in block.series.items():
            slot = parts.setdefault(key, ([], []))
            slot[0].append(times)
            slot[1].append(values)
        warnings += [w for w in block.warnings if w not in warnings]
        received += block.received
        records.append(ChunkRecord(start=_when(task.span.first_ms), end=_when(task.span.last_ms),
                                   source=source))
    series = []
    for key in sorted(parts):
        times_parts, value_parts = parts.pop(key)
        times = times_parts[0] if len(times_parts) == 1 else np.concatenate(times_parts)
        values = value_parts[0] if len(value_parts) == 1 else np.concatenate(value_parts)
        series.append((dict(key), times / 1000.0, values))
    return Merged(series, warnings, records, received)


def _when(ms: int) -> datetime:
    from datetime import UTC

    return datetime.fromtimestamp(ms / 1000, UTC)
