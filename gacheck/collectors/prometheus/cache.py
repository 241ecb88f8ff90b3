"""Closed chunks of range queries on disk, so the next evaluation asks only for new minutes.

An entry holds one absolute chunk's series from the first instant a window needed (the
chunk's first, or a later one in the chunk where a window started) up to ``covered``, an
instant at least the safety margin before the evaluation that fetched it (later samples may
still arrive). Its name is a SHA-256 of the backend URL (credentials left out), a hash of
the identity sent (headers such as ``X-Scope-OrgID`` or ``Authorization``, basic auth), the
query, the step and the chunk: no secret and no query text is readable from the file name.

Entries are untrusted input like any server answer: size-capped, and validated (magic,
header, key, checksum, instants on the chunk's grid, lengths) before use; one that fails is ignored
and fetched again. Entries are written to a temporary file and renamed, so a reader never sees
half of one, and two evaluations writing the same entry each leave a whole one.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import logging
import os
import struct
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gacheck.collectors.prometheus.cache_entry import EntryIndex, decode_entry, encode_entry
from gacheck.collectors.prometheus.chunks import Chunk
from gacheck.collectors.prometheus.fetch import Block
from gacheck.core.deadline import monotonic

log = logging.getLogger(__name__)

STALE_TEMP_S = 3600.0
"""A temporary entry file this old belongs to a writer that was killed."""
MAX_ENTRY_BYTES = 256 * 2**20


@dataclass(frozen=True)
class CacheScope:
    """What makes two queries' answers interchangeable, besides the query itself."""

    url: str
    """The backend URL without credentials."""
    identity: str
    """SHA-256 of the headers and basic-auth pair sent (tenant, token), never the values."""


def identity_of(headers: dict[str, str], auth: tuple[str, str] | None,
                params: dict[str, str] | None = None) -> str:
    """Who asks and how: headers (tenant included), auth, and query parameters sent with
    every request (Thanos' ``partial_response`` changes what an answer may leave out)."""
    text = repr((sorted(headers.items()), auth, sorted((params or {}).items())))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChunkCache:
    directory: Path
    writer: CacheWriter | None = field(default=None, compare=False, repr=False)
    """Where ``store`` sends entries to be written off the gates' threads; ``None``: written
    at once (``with_writer`` gives the evaluation's cache one)."""

    present: EntryIndex | None = field(default=None, compare=False, repr=False)
    """The entries on disk, listed once (``with_writer`` gives the evaluation's cache one)."""

    def with_writer(self) -> ChunkCache:
        """This cache with a background writer of its own (``CacheWriter``), and an index of
        the entries on disk: the evaluation that fills an empty cache tried to open every
        chunk's file first, thousands of failed opens under a busy GIL."""
        present = EntryIndex(self.directory / "prometheus")
        cache = ChunkCache(self.directory, present=present)
        return ChunkCache(self.directory, CacheWriter(cache), present)

    def store(self, key: str, block: Block) -> None:
        """``write`` on the writer's thread when there is one (the entry is read back from
        memory until it is on disk), else now."""
        if self.writer is not None:
            self.writer.put(key, block)
        else:
            self.write(key, block)

    def key(self, scope: CacheScope, promql: str, step_ms: int, chunk: Chunk) -> str:
        length = chunk.last_ms - chunk.start_ms
        text = repr(("v1", scope.url, scope.identity, promql, step_ms, length, chunk.index))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def path(self, key: str) -> Path:
        return self.directory / "prometheus" / key[:2] / f"{key}.chunk"

    def read(self, key: str, chunk: Chunk, step_ms: int) -> Block | None:
        """The stored part of ``chunk``, or ``None`` when absent, too big or invalid."""
        pending = self.writer.pending(key) if self.writer is not None else None
        if pending is not None:  # stored by this evaluation, not on disk yet
            return Block(pending.span, dict(pending.series), cached=True)
        if self.present is not None and not self.present.has(key):
            return None
        path = self.path(key)
        try:
            with path.open("rb") as handle:
                if os.fstat(handle.fileno()).st_size > MAX_ENTRY_BYTES:
                    log.warning("cache entry %s is too large; fetching the chunk again", path.name)
                    return None
                raw = handle.read(MAX_ENTRY_BYTES + 1)
        except FileNotFoundError:
            return None
        except OSError as exc:
            log.warning("cannot read cache entry %s (%s); fetching the chunk again",
                        path.name, exc.strerror or type(exc).__name__)
            return None
        try:
            block = decode_entry(raw, key, chunk, step_ms)
        except (ValueError, KeyError, TypeError, struct.error) as exc:
            log.warning("ignoring corrupt cache entry %s (%s); fetching the chunk again",
                        path.name, exc)
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # used: ``evict`` keeps it
        return block

    def evict(self, keep_s: float, now: float | None = None) -> int:
        """Delete entries not used for ``keep_s`` (chunks that left every window), and
        temporary files of writers killed more than an hour ago; the number deleted. A
        failure to delete is left for the next evaluation."""
        now = time.time() if now is None else now
        deleted = 0
        root = self.directory / "prometheus"
        try:
            folders = [f for f in os.scandir(root) if f.is_dir(follow_symlinks=False)]
        except OSError:
            return 0
        for folder in folders:
            try:
                entries = list(os.scandir(folder.path))
            except OSError:
                continue
            for entry in entries:
                limit = keep_s if entry.name.endswith(".chunk") else (
                    STALE_TEMP_S if entry.name.startswith(".tmp-") else None)
                try:
                    if limit is None or not entry.is_file(follow_symlinks=False) or (
                            now - entry.stat(follow_symlinks=False).st_mtime < limit):
                        continue
                    os.unlink(entry.path)
                    deleted += 1
                except OSError:
                    continue
        return deleted

    def write(self, key: str, block: Block) -> None:
        """Store ``block`` (a part of a chunk) atomically; a failure only costs a refetch."""
        head, arrays = encode_entry(key, block)
        if len(head) + sum(a.nbytes for a in arrays) > MAX_ENTRY_BYTES:
            return
        path = self.path(key)
        # A name of our own (process, counter) instead of mkstemp's tries, and the folder made
        # only when missing: thousands of entries an evaluation, written under a busy GIL,
        # where each system call waits for it again.
        tmp = path.parent / f".tmp-{os.getpid()}-{next(_TEMP_NAMES)}"
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
        try:
            try:
                fd = os.open(tmp, flags, 0o600)
            except FileNotFoundError:
                path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(tmp, flags, 0o600)
            try:
                try:  # straight from the arrays: no copy of the chunk
                    _write_all(fd, [head, *arrays])
                finally:
                    os.close(fd)
                os.replace(tmp, path)
                if self.present is not None:
                    self.present.add(key)
            except BaseException:
                tmp.unlink(missing_ok=True)
                raise
        except OSError as exc:
            log.warning("cannot write cache entry under %s (%s)", self.directory,
                        exc.strerror or type(exc).__name__)


_TEMP_NAMES = itertools.count()
_IOV = 512
"""Buffers per ``writev`` call (the system allows 1,024)."""


def _write_all(fd: int, buffers: list[Any]) -> None:
    """Every byte of ``buffers`` to ``fd``, in as few system calls as the system allows."""
    views = [view for view in (memoryview(b).cast("B") for b in buffers) if len(view)]
    first = 0
    while first < len(views):
        written = os.writev(fd, views[first:first + _IOV])
        while first < len(views) and written >= len(views[first]):
            written -= len(views[first])
            first += 1
        if written:  # a short write: the rest of this buffer next
            views[first] = views[first][written:]


class CacheWriter:
    """Entries kept in memory while the gates run and written on one background thread when
    the evaluation flushes, so that a gate never waits for the disk (nor for encoding an entry).

    Why later rather than at once: every system call of a write (open, write, close, rename)
    hands the GIL over, and while the gates decode answers each handover costs a context
    switch. Measured on the 1,000-gate evaluation (5,505 entries), filling cost 2.4-3.1 s of
    CPU more than no cache with writes beside the gates, 1.5-2.4 s with them after (a flush of
    0.33-0.52 s).

    Memory stays bounded: past ``WRITE_FROM_BYTES`` of samples (or half of ``MAX_PENDING``
    entries) the thread writes down to half of that meanwhile, and past ``MAX_PENDING`` entries
    or ``MAX_PENDING_BYTES`` ``put`` waits for room. A failed write is logged and costs only a
    refetch next time; it is never raised. ``flush`` (the evaluation calls it before it
    returns) writes every entry put and waits until it is on disk; once ``close``d, ``put``
    writes at once (a gate left behind by its time limit, still running).
    """

    MAX_PENDING = 65_536
    MAX_PENDING_BYTES = 64 * 2**20
    WRITE_FROM_BYTES = 32 * 2**20
    IDLE_S = 2.0
    """The thread ends after this long with nothing to write (and starts again when needed)."""

    def __init__(self, cache: ChunkCache) -> None:
        self.cache = cache
        self._queue: deque[tuple[str, Block, int]] = deque()
        self._pending: dict[str, Block] = {}
        self._bytes = 0
        self._busy = False
        self._thread = False
        self._catching_up = False
        self._draining = False
        self._waiting = 0
        """Callers of ``put`` waiting for room."""
        self._closed = False
        self._changed = threading.Condition()
        self.written = self.failed = 0
        self.waited = 0.0
        """Seconds that callers of ``put`` waited for room, in all."""

    def pending(self, key: str) -> Block | None:
        with self._changed:
            return self._pending.get(key)

    def put(self, key: str, block: Block) -> None:
        size = sum(t.nbytes + v.nbytes for t, v in block.series.values())
        with self._changed:
            if not self._closed and self._queue and self._full(size):
                started = monotonic()
                self._catching_up = True
                self._wake()
                self._waiting += 1
                try:
                    while not self._closed and self._queue and self._full(size):
                        self._changed.wait()
                finally:
                    self._waiting -= 1
                self.waited += monotonic() - started
            if not self._closed:
                self._queue.append((key, block, size))
                self._pending[key] = block
                self._bytes += size
                self._wake()
                return
        self._write(key, block)

    def _full(self, size: int) -> bool:
        return (len(self._queue) >= self.MAX_PENDING
                or self._bytes + size > self.MAX_PENDING_BYTES)

    def _due(self) -> bool:
        """Whether the thread should write the next entry now (called under the lock)."""
        if not self._queue:
            return False
        if self._bytes > self.WRITE_FROM_BYTES or len(self._queue) > self.MAX_PENDING // 2:
            self._catching_up = True
        elif self._bytes <= self.WRITE_FROM_BYTES // 2 and (
                len(self._queue) <= self.MAX_PENDING // 4):
            self._catching_up = False
        return self._draining or self._closed or self._catching_up

    def _wake(self) -> None:
        """Start the thread when there is something to write now (called under the lock)."""
        if self._due():
            if not self._thread:
                self._thread = True
                threading.Thread(target=self._run, daemon=True,
                                 name="gacheck-cache-writer").start()
            self._changed.notify_all()

    def _run(self) -> None:
        while True:
            with self._changed:
                while not self._due():
                    if not self._changed.wait(self.IDLE_S) and not self._due():
                        self._thread = False
                        self._changed.notify_all()
                        return
                key, block, size = self._queue.popleft()
                self._busy = True
            try:
                self._write(key, block)
            finally:
                with self._changed:
                    self._busy = False
                    self._bytes -= size
                    if self._pending.get(key) is block:
                        del self._pending[key]
                    if self._waiting or not self._queue:
                        # waking the flush after every entry would hand the GIL over twice
                        # an entry
                        self._changed.notify_all()

    def _write(self, key: str, block: Block) -> None:
        try:
            self.cache.write(key, block)
            self.written += 1
        except Exception as exc:  # an entry is never worth an evaluation's failure
            self.failed += 1
            log.warning("cannot write cache entry %s (%s: %s)", key[:12], type(exc).__name__, exc)

    def flush(self, timeout: float | None = None) -> bool:
        """Write every entry put and wait until it is on disk; False when ``timeout`` passed
        first."""
        end = None if timeout is None else monotonic() + timeout
        with self._changed:
            self._draining = True  # from now on every entry is written as it comes
            self._wake()
            while self._queue or self._busy:
                left = None if end is None else end - monotonic()
                if left is not None and left <= 0:
                    return False
                self._changed.wait(left)
        return True

    def close(self, timeout: float | None = None) -> bool:
        """``flush``, then write any later entry at once (no thread is left behind)."""
        started = monotonic()
        done = self.flush(timeout)
        with self._changed:
            self._closed = True
            self._changed.notify_all()
        log.debug("cache writer: %d entries written, %d failed; puts waited %.2fs for room, "
                  "the flush %.2fs", self.written, self.failed, self.waited,
                  monotonic() - started)
        return done
