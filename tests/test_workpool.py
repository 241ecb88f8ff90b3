"""The shared pools under the engine: range pieces of every gate on a few threads, and the
chunk cache's background writer (bounded, flushed, its failures logged)."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from gacheck.collectors.prometheus.cache import CacheWriter, ChunkCache
from gacheck.collectors.prometheus.chunks import Chunk, Span
from gacheck.collectors.prometheus.fetch import Block
from gacheck.collectors.prometheus.range_query import concurrently
from gacheck.core.workpool import WorkPool


def test_pieces_of_many_queries_share_the_pools_threads() -> None:
    pool = WorkPool(4, name="test-fetch", idle_s=0.2)
    lock = threading.Lock()
    in_flight = [0, 0]  # now, at most
    names: set[str] = set()

    def fetch(index: int) -> bytes:
        with lock:
            in_flight[0] += 1
            in_flight[1] = max(in_flight[1], in_flight[0])
            names.add(threading.current_thread().name)
        time.sleep(0.005)
        with lock:
            in_flight[0] -= 1
        return b"%d" % index

    finished: dict[int, list[int]] = {}

    def query(n: int) -> None:  # one gate's range query of 12 pieces
        got: list[int] = []
        concurrently(fetch, lambda i, body: got.append(int(body)), list(range(12)), 4, pool)
        finished[n] = sorted(got)

    gates = [threading.Thread(target=query, args=(n,)) for n in range(30)]
    for gate in gates:
        gate.start()
    for gate in gates:
        gate.join(30)
    assert finished == {n: list(range(12)) for n in range(30)}
    assert in_flight[1] <= 4 and len(names) <= 4  # not 4 threads per query: 120
    deadline = time.monotonic() + 5
    while pool.threads and time.monotonic() < deadline:  # idle threads end by themselves
        time.sleep(0.05)
    assert pool.threads == 0


def test_the_first_failed_piece_is_raised_and_the_rest_are_not_asked() -> None:
    asked: list[int] = []

    def fetch(index: int) -> bytes:
        asked.append(index)
        if index == 1:
            raise ValueError("piece 1 broke")
        return b""

    with pytest.raises(ValueError, match="piece 1 broke"):
        concurrently(fetch, lambda i, body: None, list(range(50)), 2, WorkPool(2))
    assert len(asked) < 50


def block(first: int, count: int, step: int = 60_000) -> Block:
    times = first + np.arange(count, dtype=np.int64) * step
    return Block(Span(first, int(times[-1])), {(("a", "b"),): (times, np.ones(count))})


def test_the_writer_stores_entries_off_the_callers_thread_and_flushes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = ChunkCache(tmp_path).with_writer()
    writer = cache.writer
    assert writer is not None
    slow = threading.Event()
    original = ChunkCache.write

    def write(self, key, entry):  # type: ignore[no-untyped-def]
        slow.wait(5)  # a slow disk
        original(self, key, entry)

    monkeypatch.setattr(ChunkCache, "write", write)
    chunk = Chunk(0, 0, 359 * 60_000, Span(0, 359 * 60_000))
    started = time.monotonic()
    cache.store("k" * 64, block(0, 100))
    assert time.monotonic() - started < 1  # the caller did not wait for the disk
    assert cache.read("k" * 64, chunk, 60_000) is not None  # read back from memory meanwhile
    assert not cache.path("k" * 64).exists()
    assert not writer.flush(0.1)  # still writing
    slow.set()
    assert writer.close(10)
    assert cache.path("k" * 64).exists() and writer.written == 1
    stored = ChunkCache(tmp_path).read("k" * 64, chunk, 60_000)
    assert stored is not None and stored.span == Span(0, 99 * 60_000)


def test_the_writers_queue_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()
    monkeypatch.setattr(ChunkCache, "write", lambda self, key, entry: release.wait(5))
    monkeypatch.setattr(CacheWriter, "MAX_PENDING", 2)
    cache = ChunkCache(tmp_path).with_writer()
    putting = threading.Thread(target=lambda: [cache.store(f"{i:064d}", block(0, 10))
                                               for i in range(5)])
    putting.start()
    putting.join(0.5)
    assert putting.is_alive()  # waits for room: one being written, two queued
    release.set()
    putting.join(5)
    assert not putting.is_alive()
    assert cache.writer is not None and cache.writer.close(5)


def test_a_failed_write_is_logged_not_raised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(self, key, entry):  # type: ignore[no-untyped-def]
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(ChunkCache, "write", broken)
    cache = ChunkCache(tmp_path).with_writer()
    with caplog.at_level(logging.WARNING):
        cache.store("f" * 64, block(0, 10))
        assert cache.writer is not None and cache.writer.close(5)
    assert cache.writer.failed == 1
    assert "disk on fire" in caplog.text


def test_entries_wait_in_memory_until_the_flush(tmp_path: Path) -> None:
    # written during the gates, each system call of a write would hand the GIL over
    cache = ChunkCache(tmp_path).with_writer()
    writer = cache.writer
    assert writer is not None
    for i in range(3):
        cache.store(f"{i:064d}", block(0, 10))
    time.sleep(0.3)
    assert writer.written == 0 and not any(cache.path(f"{i:064d}").exists() for i in range(3))
    assert writer.close(5)
    assert writer.written == 3 and all(cache.path(f"{i:064d}").exists() for i in range(3))


def test_past_its_share_of_memory_the_writer_catches_up_before_the_flush(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry = block(0, 100)  # 1,600 bytes of samples
    monkeypatch.setattr(CacheWriter, "WRITE_FROM_BYTES", 4_000)
    cache = ChunkCache(tmp_path).with_writer()
    writer = cache.writer
    assert writer is not None
    for i in range(10):
        cache.store(f"{i:064d}", entry)
    deadline = time.monotonic() + 5
    while writer.written < 8 and time.monotonic() < deadline:
        time.sleep(0.01)
    # down to half of the share (2,000 bytes: one entry) without a flush
    assert writer.written >= 8
    assert writer.close(5) and writer.written == 10
